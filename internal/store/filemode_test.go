package store_test

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/streamstate/terraform-provider-flink/internal/store"
)

// The metadata files are 0600 whatever the umask, and an existing database with a wider mode (from an
// older version or a copy) is brought back to 0600 when opened.
func TestDatabaseFilesAreOwnerOnly(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "engine.db")

	s := open(t, path)
	if err := s.Update(ctx, func(tx store.Tx) error {
		return tx.Put(store.Users, "u1", nil, doc{ID: "u1", Name: "one"})
	}); err != nil {
		t.Fatal(err)
	}
	checkModes(t, path)
	s.Close()

	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if _, err := os.Stat(p); err == nil {
			if err := os.Chmod(p, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	s2 := open(t, path)
	if err := s2.Update(ctx, func(tx store.Tx) error {
		return tx.Put(store.Users, "u2", nil, doc{ID: "u2", Name: "two"})
	}); err != nil {
		t.Fatal(err)
	}
	checkModes(t, path)
}

func checkModes(t *testing.T, path string) {
	t.Helper()
	seen := 0
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		info, err := os.Stat(p)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		seen++
		if mode := info.Mode().Perm(); mode != store.FileMode {
			t.Errorf("%s has mode %o, want %o", filepath.Base(p), mode, store.FileMode)
		}
	}
	if seen < 2 {
		t.Fatalf("expected engine.db and its -wal file, found %d files", seen)
	}
}
