package blob_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"

	"github.com/streamstate/terraform-provider-flink/internal/blob"
	"github.com/streamstate/terraform-provider-flink/internal/blob/blobtest"
	"github.com/streamstate/terraform-provider-flink/internal/enginetest"
)

func TestFSRoundTripRecordsChecksumAcrossRestart(t *testing.T) {
	store := blobtest.NewFSStore(t)
	data := randomBytes(t, 300_000)
	info := mustPut(t, store, "chk-1/_metadata", data)
	if info.SHA256 != sha256Hex(data) || info.Size != int64(len(data)) || info.ModTime.IsZero() {
		t.Fatalf("put info = %+v, want sha256 %s size %d and a mod time", info, sha256Hex(data), len(data))
	}
	mustRead(t, store, "chk-1/_metadata", data)

	reopened, err := blob.NewFS(store.Root())
	if err != nil {
		t.Fatal(err)
	}
	stat, err := reopened.Stat(context.Background(), "chk-1/_metadata")
	if err != nil || stat.SHA256 != info.SHA256 || stat.Size != info.Size {
		t.Fatalf("stat after reopening = %+v, %v; want the checksum recorded at write time", stat, err)
	}
	if got, want := store.Location("chk-1/_metadata"), "file://"+filepath.ToSlash(store.Root())+"/chk-1/_metadata"; got != want {
		t.Fatalf("location = %s, want %s", got, want)
	}
	if _, err := store.Stat(context.Background(), "chk-1/missing"); !errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("stat of a missing key: want ErrNotFound, got %v", err)
	}
}

func TestFSGetFailsWithErrChecksumWhenFileCorruptedOnDisk(t *testing.T) {
	store := blobtest.NewFSStore(t)
	data := randomBytes(t, 64<<10)
	mustPut(t, store, "snap/state", data)
	corrupted := bytes.Clone(data)
	corrupted[1000] ^= 0xff
	if err := os.WriteFile(filepath.Join(store.Root(), "snap", "state"), corrupted, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := readAll(t, store, "snap/state"); !errors.Is(err, blob.ErrChecksum) {
		t.Fatalf("reading a corrupted file: want ErrChecksum, got %v", err)
	}
}

func TestFSFailedPutLeavesNoObjectAndNoVisibleLitter(t *testing.T) {
	store := blobtest.NewFSStore(t)
	_, err := store.Put(context.Background(), "chk-2/part", newFailingReader(randomBytes(t, 200_000)))
	if !errors.Is(err, errUpstream) {
		t.Fatalf("put from a failing reader: want the reader's error, got %v", err)
	}
	wantNotFound(t, store, "chk-2/part")
	if keys := listKeys(t, store, ""); len(keys) != 0 {
		t.Fatalf("list after a failed put = %v, want nothing", keys)
	}
	entries, err := os.ReadDir(filepath.Join(store.Root(), "chk-2"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("failed put left %s on disk", e.Name())
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := store.Put(ctx, "chk-2/cancelled", bytes.NewReader([]byte("x"))); !errors.Is(err, context.Canceled) {
		t.Fatalf("put with a cancelled context: want context.Canceled, got %v", err)
	}
	wantNotFound(t, store, "chk-2/cancelled")
}

func TestFSListIsLexicalByPrefixAndHidesSidecars(t *testing.T) {
	store := blobtest.NewFSStore(t)
	keys := []string{"b", "a/c/d", "ab", "a.txt", "a/b", "a-z"}
	for _, k := range keys {
		mustPut(t, store, k, []byte(k))
	}
	all := append([]string(nil), keys...)
	sort.Strings(all)
	if got := listKeys(t, store, ""); !equalKeys(got, all) {
		t.Fatalf("list all = %v, want %v", got, all)
	}
	if got, want := listKeys(t, store, "a/"), []string{"a/b", "a/c/d"}; !equalKeys(got, want) {
		t.Fatalf("list a/ = %v, want %v", got, want)
	}
	if got, want := listKeys(t, store, "a"), []string{"a-z", "a.txt", "a/b", "a/c/d", "ab"}; !equalKeys(got, want) {
		t.Fatalf("list a = %v, want %v", got, want)
	}
	if got := listKeys(t, store, "zzz/"); len(got) != 0 {
		t.Fatalf("list of a missing prefix = %v, want nothing", got)
	}
}

func TestFSDeleteAndDeletePrefix(t *testing.T) {
	ctx := context.Background()
	store := blobtest.NewFSStore(t)
	for _, k := range []string{"chk-1/a", "chk-1/sub/b", "chk-10/c", "other"} {
		mustPut(t, store, k, []byte(k))
	}
	if err := store.DeletePrefix(ctx, "chk-1/"); err != nil {
		t.Fatal(err)
	}
	if got, want := listKeys(t, store, ""), []string{"chk-10/c", "other"}; !equalKeys(got, want) {
		t.Fatalf("after DeletePrefix(chk-1/) = %v, want %v", got, want)
	}
	if _, err := os.Stat(filepath.Join(store.Root(), "chk-1")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("DeletePrefix(chk-1/) left the directory: %v", err)
	}
	if err := store.DeletePrefix(ctx, "chk-1"); err != nil {
		t.Fatal(err)
	}
	if got, want := listKeys(t, store, ""), []string{"other"}; !equalKeys(got, want) {
		t.Fatalf("after DeletePrefix(chk-1) = %v, want %v", got, want)
	}
	if err := store.Delete(ctx, "other"); err != nil {
		t.Fatal(err)
	}
	if err := store.Delete(ctx, "other"); err != nil {
		t.Fatalf("deleting a missing key must not fail: %v", err)
	}
	entries, err := os.ReadDir(store.Root())
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Fatalf("root still holds %d entries (sidecars?) after deleting everything", len(entries))
	}
}

func TestFSRejectsKeysThatEscapeOrCollide(t *testing.T) {
	store := blobtest.NewFSStore(t)
	for _, key := range []string{"", "../escape", "a/../../b", "/abs", "a//b", "dir/", "x.blob-sha256", ".blob-tmp-1"} {
		_, err := store.Put(context.Background(), key, strings.NewReader("x"))
		if err == nil || !strings.Contains(err.Error(), "key") {
			t.Errorf("put %q: want an error naming the key, got %v", key, err)
		}
	}
}

func TestFSCopyHardLinksOnOneFilesystem(t *testing.T) {
	parent := t.TempDir()
	src, _ := blob.NewFS(filepath.Join(parent, "src"))
	dst, _ := blob.NewFS(filepath.Join(parent, "dst"))
	data := randomBytes(t, 100_000)
	srcInfo := mustPut(t, src, "chk-3/state", data)

	info, err := blob.Copy(context.Background(), src, "chk-3/state", dst, "clone/state")
	if err != nil {
		t.Fatal(err)
	}
	if info.SHA256 != srcInfo.SHA256 || info.Size != srcInfo.Size || info.Key != "clone/state" {
		t.Fatalf("copy info = %+v, want the source's size and sha256 %s", info, srcInfo.SHA256)
	}
	a, _ := os.Stat(filepath.Join(src.Root(), "chk-3", "state"))
	b, _ := os.Stat(filepath.Join(dst.Root(), "clone", "state"))
	if !os.SameFile(a, b) {
		t.Fatal("copy on one filesystem is not a hard link of the source")
	}
	mustRead(t, dst, "clone/state", data)
}

func TestFSCopyAcrossFilesystemsFallsBackToByteCopy(t *testing.T) {
	shm, err := os.MkdirTemp("/dev/shm", "blobtest-")
	if err != nil {
		enginetest.SkipOutsideCI(t, "no /dev/shm to act as a second filesystem: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(shm) })
	src := blobtest.NewFSStore(t)
	var a, b syscall.Stat_t
	if syscall.Stat(src.Root(), &a) != nil || syscall.Stat(shm, &b) != nil || a.Dev == b.Dev {
		enginetest.SkipOutsideCI(t, "/dev/shm is on the same device as the temp dir; cannot test the cross-device path here")
	}
	dst, _ := blob.NewFS(shm)
	data := randomBytes(t, 3<<20)
	srcInfo := mustPut(t, src, "big", data)
	info, err := dst.CopyFrom(context.Background(), src, "big", "copied")
	if err != nil {
		t.Fatalf("cross-device CopyFrom: %v", err)
	}
	if info.SHA256 != srcInfo.SHA256 {
		t.Fatalf("cross-device copy records %s, want %s", info.SHA256, srcInfo.SHA256)
	}
	mustRead(t, dst, "copied", data)
}

func TestFSCopyOfFileWithoutChecksumIsLinkedAsIs(t *testing.T) {
	src, dst := blobtest.NewFSStore(t), blobtest.NewFSStore(t)
	data := []byte("written by flink directly, not through the store")
	if err := os.WriteFile(filepath.Join(src.Root(), "foreign"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	// On one filesystem the copy shares the source's inode: the same bytes, without reading them.
	info, err := dst.CopyFrom(context.Background(), src, "foreign", "dir/x")
	if err != nil {
		t.Fatalf("CopyFrom of an unchecksummed file: %v", err)
	}
	if info.SHA256 != "" || info.Size != int64(len(data)) {
		t.Fatalf("copy records %+v: want the source's size and, like the source, no sha256", info)
	}
	a, errA := os.Stat(filepath.Join(src.Root(), "foreign"))
	b, errB := os.Stat(filepath.Join(dst.Root(), "dir", "x"))
	if errA != nil || errB != nil || !os.SameFile(a, b) {
		t.Fatalf("the copy is not a hard link of the source (%v, %v)", errA, errB)
	}
	mustRead(t, dst, "dir/x", data)
	if info, err := blob.Copy(context.Background(), src, "foreign", dst, "dir/y"); err != nil || info.Size != int64(len(data)) {
		t.Fatalf("blob.Copy of an unchecksummed file: %+v, %v", info, err)
	}
	// A checksummed object later written at the same key gets its sidecar back.
	mustPut(t, dst, "dir/x", []byte("new"))
	if got, err := dst.Stat(context.Background(), "dir/x"); err != nil || got.SHA256 != sha256Hex([]byte("new")) {
		t.Fatalf("after a Put over the copy: %+v, %v", got, err)
	}
}
