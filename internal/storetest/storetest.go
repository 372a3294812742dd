// Package storetest is the conformance suite of the store.Store contract, run against every backend
// (as temporalio/temporal runs its persistence tests per database):
//
//	func TestSQLite(t *testing.T) { storetest.Run(t, storetest.SQLiteDatabase) }
//	func TestPostgres(t *testing.T) { storetest.Run(t, pgtest.NewDatabase) }
package storetest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/streamstate/terraform-provider-flink/internal/store"
)

// Run runs every contract test on databases from newDatabase, which returns the store.Open URL of an
// empty database that lives until its test ends.
func Run(t *testing.T, newDatabase func(testing.TB) string) {
	tests := []struct {
		name string
		fn   func(*testing.T, string)
	}{
		{"RecordsSurviveReopenAndUniqueIndexesHold", testReopenAndUnique},
		{"UnknownColumnsFailLoudly", testUnknownColumns},
		{"InsertConflictLeavesTransactionUsable", testInsertConflictUsable},
		{"PutReplacesDocumentAndColumns", testPutReplaces},
		{"InsertManyAndPutManyWriteBatches", testInsertMany},
		{"ListOrdersBytewiseAndNumerically", testListOrder},
		{"CountAndDeleteWhere", testCountDeleteWhere},
		{"KeysAreBytes", testBinaryKeys},
		{"UpdatesAreSerialised", testSerialisedUpdates},
		{"ViewSeesOneSnapshot", testViewSnapshot},
		{"NowIsTheDatabaseClockInUTC", testNow},
		{"MigrationsApplyOnceWhenOpenedTogether", testConcurrentMigrations},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, newDatabase(t)) })
	}
}

// SQLiteDatabase is a newDatabase for SQLite: a file in the test's temporary directory.
func SQLiteDatabase(t testing.TB) string { return filepath.Join(t.TempDir(), "engine.db") }

// open opens url, closed when the test ends.
func open(t testing.TB, url string) store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

type doc struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Count int    `json:"count,omitempty"`
}

func update(t testing.TB, s store.Store, fn func(store.Tx) error) {
	t.Helper()
	if err := s.Update(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

func list(t testing.TB, s store.Store, table string, q store.Query) []doc {
	t.Helper()
	var got []doc
	if err := s.View(context.Background(), func(tx store.Tx) error { return tx.List(table, q, &got) }); err != nil {
		t.Fatal(err)
	}
	return got
}

func names(docs []doc) []string {
	out := make([]string, len(docs))
	for i, d := range docs {
		out[i] = d.Name
	}
	return out
}
