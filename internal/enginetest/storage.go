package enginetest

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// ExactSnapshotDirs fails the test unless a namespace's snapshot directories under a data directory's
// default managed storage are exactly snapIDs: no partial copy, no orphaned state, nothing missing.
func ExactSnapshotDirs(t testing.TB, dataDir, nsID string, snapIDs []string) {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dataDir, "storage", "namespaces", nsID, "snapshots"))
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, e := range entries {
		dirs = append(dirs, e.Name())
	}
	want := slices.Clone(snapIDs)
	slices.Sort(dirs)
	slices.Sort(want)
	if !slices.Equal(dirs, want) {
		t.Fatalf("snapshot directories of namespace %s: %v, want exactly %v (no partial or orphaned state)", nsID, dirs, want)
	}
}
