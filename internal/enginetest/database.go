package enginetest

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/streamstate/terraform-provider-flink/internal/pgtest"
	"github.com/streamstate/terraform-provider-flink/internal/store"
)

// databases maps a data directory to the PostgreSQL database made for it, so an engine restarted on the
// same directory (in-process or as a process) finds its records, as it finds its SQLite file.
var databases sync.Map

// DatabaseURL is the metadata store of an engine on dataDir: the SQLite file in it, or, when
// FLINK_ENGINE_TEST_DATABASE=postgres, a fresh PostgreSQL database (pgtest) made on first use and
// dropped when the test that made it ends.
func DatabaseURL(t testing.TB, dataDir string) string {
	t.Helper()
	return databaseURL(t, dataDir, pgtest.Enabled())
}

// usePostgres resolves a Database option: "sqlite", "postgres", or "" for FLINK_ENGINE_TEST_DATABASE.
func usePostgres(database string) bool {
	if database != "" {
		return database == "postgres"
	}
	return pgtest.Enabled()
}

func databaseURL(t testing.TB, dataDir string, postgres bool) string {
	t.Helper()
	if !postgres {
		return filepath.Join(dataDir, "engine.db")
	}
	if url, ok := databases.Load(dataDir); ok {
		return url.(string)
	}
	url := pgtest.NewDatabase(t)
	databases.Store(dataDir, url)
	t.Cleanup(func() { databases.Delete(dataDir) })
	return url
}

// OpenStore opens the metadata store of an engine on dataDir, to read what the engine wrote; closed when
// the test ends.
func OpenStore(t testing.TB, dataDir string) store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), DatabaseURL(t, dataDir))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// processDatabaseArgs are the flags that point an engine process on dataDir at its PostgreSQL database
// (none on SQLite). Managed storage stays in dataDir unless args choose it; the replicas' check wants it
// declared shared.
func processDatabaseArgs(t testing.TB, dataDir string, opts ProcessOptions) []string {
	if !usePostgres(opts.Database) {
		return nil
	}
	args := opts.Args
	// A process on PostgreSQL is a replica: after a kill -9 its restarted self takes its work over once
	// the dead one's leases lapse, so tests that restart an engine use short leases (unless they choose).
	extra := []string{"--database-url", DatabaseURL(t, dataDir)}
	if !contains(args, "--lease-period") {
		extra = append(extra, "--lease-period", "1s")
	}
	for _, a := range args {
		if a == "--managed-storage" || len(a) > len("--managed-storage=") && a[:len("--managed-storage=")] == "--managed-storage=" {
			if !contains(args, "--shared-storage") {
				extra = append(extra, "--shared-storage")
			}
			return extra
		}
	}
	abs, err := filepath.Abs(filepath.Join(dataDir, "storage"))
	if err != nil {
		t.Fatal(err)
	}
	return append(extra, "--managed-storage", "file://"+abs, "--shared-storage")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
