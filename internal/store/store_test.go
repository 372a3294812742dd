package store_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/pgtest"
	"github.com/streamstate/terraform-provider-flink/internal/store"
	"github.com/streamstate/terraform-provider-flink/internal/storetest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func TestSQLite(t *testing.T) { storetest.Run(t, storetest.SQLiteDatabase) }

func TestPostgres(t *testing.T) { storetest.Run(t, pgtest.NewDatabase) }

type doc struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

func open(t *testing.T, path string) store.Store {
	t.Helper()
	s, err := store.OpenSQLite(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Views that all hold a connection and each run a query for the first time still finish: a statement
// prepared on the pool from inside a transaction waited for a free connection, and with the SQLite
// reader pool (4) held by such views nothing moved (a stateful clone's workers hung the engine).
func TestViewsThatHoldEveryConnectionRunNewQueries(t *testing.T) {
	s := open(t, t.TempDir()+"/engine.db")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	tables := []string{store.Objects, store.Jobs, store.Checkpoints, store.Snapshots} // one new query each
	var inside sync.WaitGroup
	inside.Add(len(tables))
	errs := make(chan error, len(tables))
	for _, table := range tables {
		go func() {
			errs <- s.View(ctx, func(tx store.Tx) error {
				inside.Done()
				inside.Wait() // every reader connection is held by a view now
				var out []json.RawMessage
				return tx.List(table, store.Query{Limit: 1}, &out)
			})
		}()
	}
	for range tables {
		if err := <-errs; err != nil {
			t.Fatalf("a view that ran a new query while the pool was full: %v", err)
		}
	}
}
