package blob_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/blob"
)

// A linked copy is proven by its link as long as nothing wrote to the shared bytes after their sha256
// was recorded; an in-place write, or a copy that is not the same file, must be read back instead.
func TestFSLinkedUnchangedTellsALinkedCopyFromOneWrittenSince(t *testing.T) {
	ctx := context.Background()
	src, dst, data := twoStoresOnOneFilesystem(t)
	mustPut(t, src, "chk-1/state", data)
	mustPut(t, src, "chk-1/other", data) // same bytes, another file
	if _, err := blob.Copy(ctx, src, "chk-1/state", dst, "copy/state"); err != nil {
		t.Fatal(err)
	}
	if !blob.LinkedUnchanged(src, "chk-1/state", dst, "copy/state") {
		t.Fatal("a fresh hard-linked copy is not reported as linked and unchanged")
	}
	if blob.LinkedUnchanged(src, "chk-1/other", dst, "copy/state") {
		t.Fatal("a copy is reported as linked to a file it is not linked to")
	}
	if blob.LinkedUnchanged(src, "chk-1/state", dst, "copy/missing") {
		t.Fatal("a missing copy is reported as linked")
	}

	// Write one byte in place, and date it clearly after the sidecar (timestamps are coarse).
	p := filepath.Join(src.Root(), "chk-1", "state")
	f, err := os.OpenFile(p, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.WriteAt([]byte{data[0] ^ 0xff}, 0)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Minute)
	if err := os.Chtimes(p, later, later); err != nil {
		t.Fatal(err)
	}
	if blob.LinkedUnchanged(src, "chk-1/state", dst, "copy/state") {
		t.Fatal("a linked copy whose bytes were written in place after their checksum is reported unchanged")
	}
	if _, err := readAll(t, dst, "copy/state"); err == nil {
		t.Fatal("reading the overwritten copy passed its checksum check")
	}
}

// A linked copy shares the source's sidecar too (no new sidecar written and fsynced), and it records
// the source's sha256 whether or not the sidecar could be linked.
func TestFSLinkedCopySharesTheSourceSidecar(t *testing.T) {
	ctx := context.Background()
	src, dst, data := twoStoresOnOneFilesystem(t)
	srcInfo := mustPut(t, src, "sp/state", data)
	info, err := blob.Copy(ctx, src, "sp/state", dst, "copy/state")
	if err != nil {
		t.Fatal(err)
	}
	a, errA := os.Stat(filepath.Join(src.Root(), "sp", "state.blob-sha256"))
	b, errB := os.Stat(filepath.Join(dst.Root(), "copy", "state.blob-sha256"))
	if errA != nil || errB != nil || !os.SameFile(a, b) {
		t.Fatalf("the copy's sidecar is not a link of the source's (%v, %v)", errA, errB)
	}
	got, err := dst.Stat(ctx, "copy/state")
	if err != nil || got.SHA256 != srcInfo.SHA256 || info.SHA256 != srcInfo.SHA256 {
		t.Fatalf("copy records %q (stat %q, %v), want %s", info.SHA256, got.SHA256, err, srcInfo.SHA256)
	}
	// Replacing the source afterwards (a new inode under the name) leaves the copy's record alone.
	mustPut(t, src, "sp/state", randomBytes(t, 100))
	mustRead(t, dst, "copy/state", data)
}

// twoStoresOnOneFilesystem opens two FS stores side by side (copies between them are hard links) and
// returns bytes to put.
func twoStoresOnOneFilesystem(t *testing.T) (src, dst *blob.FS, data []byte) {
	parent := t.TempDir()
	src, _ = blob.NewFS(filepath.Join(parent, "src"))
	dst, _ = blob.NewFS(filepath.Join(parent, "dst"))
	return src, dst, randomBytes(t, 10_000)
}
