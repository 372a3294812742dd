package runtime

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/blob"
)

func newFS(t *testing.T) (*blob.FS, string) {
	t.Helper()
	dir := t.TempDir()
	s, err := blob.NewFS(dir)
	if err != nil {
		t.Fatal(err)
	}
	return s, dir
}

func put(t *testing.T, s blob.Store, key, content string) blob.Info {
	t.Helper()
	info, err := s.Put(context.Background(), key, strings.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	return info
}

// writeIncrementalCheckpoint lays out ckp/chk-2 referencing two shared files and one of its own.
func writeIncrementalCheckpoint(t *testing.T, s blob.Store) Metadata {
	t.Helper()
	a := put(t, s, "ckp/shared/job-chunk-0-v1", "shared state zero")
	b := put(t, s, "ckp/shared/job-chunk-1-v3", "shared state one, changed thrice")
	own := put(t, s, "ckp/chk-2/operator-state", "offsets")
	m := Metadata{Kind: KindCheckpoint, JobID: "job", DeploymentID: "dep", Offset: 4242, Fingerprint: "fp",
		Incremental: true, Seq: 2, CreatedAt: time.Unix(1700000000, 0).UTC(), Files: []StateFile{
			{Key: a.Key, Shared: true, Size: a.Size, SHA256: a.SHA256, Chunk: 0, Version: 1},
			{Key: b.Key, Shared: true, Size: b.Size, SHA256: b.SHA256, Chunk: 1, Version: 3},
			{Key: "operator-state", Size: own.Size, SHA256: own.SHA256, Chunk: 2, Version: 1},
		}}
	if _, err := WriteMetadata(context.Background(), s, "ckp/chk-2", m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestCopyStateMaterialisesAnIncrementalCheckpoint(t *testing.T) {
	ctx := context.Background()
	src, _ := newFS(t)
	dst, dstRoot := newFS(t)
	orig := writeIncrementalCheckpoint(t, src)

	m, err := CopyState(ctx, src, "ckp/chk-2", dst, "snapshots/s1", 2)
	if err != nil {
		t.Fatalf("copy: %v", err)
	}
	if m.Kind != KindSavepoint || m.Incremental || m.Offset != 4242 || m.Fingerprint != "fp" || m.SavepointFormat != "NATIVE" || m.CopiedFrom == "" {
		t.Fatalf("copy metadata = %+v", m)
	}
	if err := src.DeletePrefix(ctx, "ckp/"); err != nil {
		t.Fatal(err)
	}
	got, err := VerifyState(ctx, dst, "snapshots/s1")
	if err != nil {
		t.Fatalf("the copy needs the source: %v", err)
	}
	if len(got.Files) != 3 || got.SizeBytes() != orig.SizeBytes() {
		t.Fatalf("copy lists %d files, %d bytes; want 3 files, %d bytes", len(got.Files), got.SizeBytes(), orig.SizeBytes())
	}
	for _, f := range got.Files {
		if f.Shared {
			t.Fatalf("copy still references shared file %s", f.Key)
		}
		if _, err := os.Stat(filepath.Join(dstRoot, "snapshots", "s1", filepath.FromSlash(f.Key))); err != nil {
			t.Fatalf("file %s is not inside the copy's directory: %v", f.Key, err)
		}
	}
}

// A copy that fails writes no MetadataFile, so its destination reads as a partial copy, and everything it
// wrote is under the destination prefix, where the caller (who alone knows whether the prefix is still its
// own) removes it.
func TestCopyStateOfBrokenSourceLeavesNoSnapshot(t *testing.T) {
	ctx := context.Background()
	src, _ := newFS(t)
	dst, dstRoot := newFS(t)
	writeIncrementalCheckpoint(t, src)
	if err := src.Delete(ctx, "ckp/shared/job-chunk-1-v3"); err != nil {
		t.Fatal(err)
	}
	_, err := CopyState(ctx, src, "ckp/chk-2", dst, "snapshots/s1", 2)
	if !errors.Is(err, ErrCorruptState) || !strings.Contains(err.Error(), "job-chunk-1-v3") {
		t.Fatalf("copy with a missing shared file: err = %v, want ErrCorruptState naming it", err)
	}
	if _, err := dst.Stat(ctx, "snapshots/s1/"+MetadataFile); !errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("a failed copy wrote %s (stat err %v)", MetadataFile, err)
	}
	var outside []string
	_ = dst.List(ctx, "", func(i blob.Info) error {
		if !strings.HasPrefix(i.Key, "snapshots/s1/") {
			outside = append(outside, i.Key)
		}
		return nil
	})
	if len(outside) != 0 {
		t.Fatalf("a failed copy wrote %v outside its prefix in %s", outside, dstRoot)
	}
}

func TestReadAndVerifyStateRefuseBrokenState(t *testing.T) {
	ctx := context.Background()
	s, _ := newFS(t)
	if _, err := ReadMetadata(ctx, s, "nothing-here"); !errors.Is(err, ErrCorruptState) || !errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("missing metadata: err = %v, want ErrCorruptState wrapping blob.ErrNotFound", err)
	}
	put(t, s, "garbage/"+MetadataFile, "{not json")
	if _, err := ReadMetadata(ctx, s, "garbage"); !errors.Is(err, ErrCorruptState) {
		t.Fatalf("malformed metadata: err = %v, want ErrCorruptState", err)
	}
	sum := strings.Repeat("ab", 32)
	for name, m := range map[string]Metadata{
		"escaping":         {Kind: KindSavepoint, Files: []StateFile{{Key: "../other/x", Size: 1, SHA256: sum}}},
		"shared-savepoint": {Kind: KindSavepoint, Files: []StateFile{{Key: "ckp/shared/x", Shared: true, Size: 1, SHA256: sum}}},
		"no-kind":          {Files: nil},
	} {
		if _, err := WriteMetadata(ctx, s, name, m); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadMetadata(ctx, s, name); !errors.Is(err, ErrCorruptState) {
			t.Errorf("%s metadata accepted: err = %v", name, err)
		}
	}

	// A file whose bytes differ from what the metadata recorded.
	f := put(t, s, "sp/chunk-0", "the real bytes")
	m := Metadata{Kind: KindSavepoint, Files: []StateFile{{Key: "chunk-0", Size: f.Size, SHA256: strings.Repeat("0", 64)}}}
	if _, err := WriteMetadata(ctx, s, "sp", m); err != nil {
		t.Fatal(err)
	}
	if _, err := VerifyState(ctx, s, "sp"); !errors.Is(err, ErrCorruptState) || !strings.Contains(err.Error(), "chunk-0") {
		t.Fatalf("sha256 mismatch: err = %v, want ErrCorruptState naming chunk-0", err)
	}
	m.Files[0].SHA256, m.Files[0].Size = f.SHA256, f.Size+1
	if _, err := WriteMetadata(ctx, s, "sp2", Metadata{Kind: KindSavepoint, Files: m.Files}); err != nil {
		t.Fatal(err)
	}
	put(t, s, "sp2/chunk-0", "the real bytes")
	if _, err := VerifyState(ctx, s, "sp2"); !errors.Is(err, ErrCorruptState) || !strings.Contains(err.Error(), "bytes") {
		t.Fatalf("size mismatch: err = %v, want ErrCorruptState about the size", err)
	}
}
