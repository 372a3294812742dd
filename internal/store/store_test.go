package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/streamstate/terraform-provider-flink/internal/store"
)

type doc struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

func open(t *testing.T, path string) *store.SQLite {
	t.Helper()
	s, err := store.OpenSQLite(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestRecordsSurviveReopenAndUniqueIndexesHold(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "engine.db")
	s := open(t, path)
	err := s.Update(ctx, func(tx store.Tx) error {
		if err := tx.Insert(store.Namespaces, "ns-1", store.Cols{"workspace_id": "ws", "name": "a"}, doc{"ns-1", "a"}); err != nil {
			return err
		}
		return tx.Insert(store.Namespaces, "ns-2", store.Cols{"workspace_id": "ws", "name": "b"}, doc{"ns-2", "b"})
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Update(ctx, func(tx store.Tx) error {
		return tx.Insert(store.Namespaces, "ns-3", store.Cols{"workspace_id": "ws", "name": "a"}, doc{"ns-3", "a"})
	})
	if !errors.Is(err, store.ErrConflict) {
		t.Fatalf("a duplicate name was accepted: %v", err)
	}
	// Put must not silently evict the record that holds the unique name.
	err = s.Update(ctx, func(tx store.Tx) error {
		return tx.Put(store.Namespaces, "ns-2", store.Cols{"workspace_id": "ws", "name": "a"}, doc{"ns-2", "a"})
	})
	if !errors.Is(err, store.ErrConflict) {
		t.Fatalf("Put took a unique name from another record: %v", err)
	}
	// A failed transaction leaves nothing behind.
	_ = s.Update(ctx, func(tx store.Tx) error {
		_ = tx.Insert(store.Namespaces, "ns-4", store.Cols{"workspace_id": "ws", "name": "d"}, doc{"ns-4", "d"})
		return errors.New("abort")
	})
	s.Close()

	s = open(t, path) // migrations are applied once; reopening keeps the data
	var got []doc
	err = s.View(ctx, func(tx store.Tx) error {
		return tx.List(store.Namespaces, store.Query{Where: store.Cols{"workspace_id": "ws"}, OrderBy: "name", Desc: true}, &got)
	})
	if err != nil || len(got) != 2 || got[0].Name != "b" || got[1].Name != "a" {
		t.Fatalf("after reopen: %+v %v", got, err)
	}
	err = s.View(ctx, func(tx store.Tx) error { return tx.Get(store.Namespaces, "ns-4", &doc{}) })
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("an aborted insert was kept: %v", err)
	}
}

func TestUnknownColumnsFailLoudly(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "engine.db"))
	err := s.View(context.Background(), func(tx store.Tx) error {
		_, err := tx.Count(store.Objects, store.Cols{"nmae": "x"})
		return err
	})
	if err == nil {
		t.Fatal("a query on a column that is not indexed matched silently")
	}
}
