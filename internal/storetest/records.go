package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/streamstate/terraform-provider-flink/internal/store"
)

func testReopenAndUnique(t *testing.T, url string) {
	ctx := context.Background()
	s := open(t, url)
	update(t, s, func(tx store.Tx) error {
		if err := tx.Insert(store.Namespaces, "ns-1", store.Cols{"workspace_id": "ws", "name": "a"}, doc{ID: "ns-1", Name: "a"}); err != nil {
			return err
		}
		return tx.Insert(store.Namespaces, "ns-2", store.Cols{"workspace_id": "ws", "name": "b"}, doc{ID: "ns-2", Name: "b"})
	})
	err := s.Update(ctx, func(tx store.Tx) error {
		return tx.Insert(store.Namespaces, "ns-3", store.Cols{"workspace_id": "ws", "name": "a"}, doc{ID: "ns-3", Name: "a"})
	})
	if !errors.Is(err, store.ErrConflict) {
		t.Fatalf("a duplicate name was accepted: %v", err)
	}
	err = s.Update(ctx, func(tx store.Tx) error {
		return tx.Insert(store.Namespaces, "ns-1", store.Cols{"workspace_id": "ws", "name": "z"}, doc{ID: "ns-1", Name: "z"})
	})
	if !errors.Is(err, store.ErrConflict) {
		t.Fatalf("a duplicate id was accepted: %v", err)
	}
	// Put must not silently evict the record that holds the unique name.
	err = s.Update(ctx, func(tx store.Tx) error {
		return tx.Put(store.Namespaces, "ns-2", store.Cols{"workspace_id": "ws", "name": "a"}, doc{ID: "ns-2", Name: "a"})
	})
	if !errors.Is(err, store.ErrConflict) {
		t.Fatalf("Put took a unique name from another record: %v", err)
	}
	// A failed transaction leaves nothing behind.
	_ = s.Update(ctx, func(tx store.Tx) error {
		_ = tx.Insert(store.Namespaces, "ns-4", store.Cols{"workspace_id": "ws", "name": "d"}, doc{ID: "ns-4", Name: "d"})
		return errors.New("abort")
	})
	s.Close()

	s = open(t, url) // migrations are applied once; reopening keeps the data
	got := list(t, s, store.Namespaces, store.Query{Where: store.Cols{"workspace_id": "ws"}, OrderBy: "name", Desc: true})
	if !slices.Equal(names(got), []string{"b", "a"}) {
		t.Fatalf("after reopen: %+v", got)
	}
	err = s.View(ctx, func(tx store.Tx) error { return tx.Get(store.Namespaces, "ns-4", &doc{}) })
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("an aborted insert was kept: %v", err)
	}
}

func testUnknownColumns(t *testing.T, url string) {
	s := open(t, url)
	err := s.View(context.Background(), func(tx store.Tx) error {
		_, err := tx.Count(store.Objects, store.Cols{"nmae": "x"})
		return err
	})
	if err == nil {
		t.Fatal("a query on a column that is not indexed matched silently")
	}
	err = s.View(context.Background(), func(tx store.Tx) error { return tx.Get("objcets", "x", &doc{}) })
	if err == nil || errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a Get on an unknown table answered %v, not an error naming the table", err)
	}
}

// The engine inserts a user and goes on when it exists, and a clone tries another name after a
// conflict: after ErrConflict the transaction must still work (PostgreSQL aborts a transaction on an
// error, so the store must not let the database raise one).
func testInsertConflictUsable(t *testing.T, url string) {
	s := open(t, url)
	update(t, s, func(tx store.Tx) error {
		return tx.Insert(store.Users, "alice", nil, doc{ID: "alice", Name: "alice"})
	})
	update(t, s, func(tx store.Tx) error {
		if err := tx.Insert(store.Users, "alice", nil, doc{ID: "alice", Name: "again"}); !errors.Is(err, store.ErrConflict) {
			return fmt.Errorf("second insert of alice: %v, want ErrConflict", err)
		}
		o := store.Cols{"namespace_id": "ns", "kind": "variables", "name": "v", "clone_id": ""}
		if err := tx.Insert(store.Objects, "o-1", o, doc{ID: "o-1", Name: "v"}); err != nil {
			return err
		}
		if err := tx.Insert(store.Objects, "o-2", o, doc{ID: "o-2", Name: "v"}); !errors.Is(err, store.ErrConflict) {
			return fmt.Errorf("a second object named v: %v, want ErrConflict", err)
		}
		o["name"] = "v-1"
		return tx.Insert(store.Objects, "o-2", o, doc{ID: "o-2", Name: "v-1"})
	})
	var alice doc
	if err := s.View(context.Background(), func(tx store.Tx) error { return tx.Get(store.Users, "alice", &alice) }); err != nil || alice.Name != "alice" {
		t.Fatalf("alice = %+v, %v: a conflicting insert changed the record", alice, err)
	}
	if got := names(list(t, s, store.Objects, store.Query{OrderBy: "name"})); !slices.Equal(got, []string{"v", "v-1"}) {
		t.Fatalf("objects after a conflict and a rename = %v", got)
	}
}

func testPutReplaces(t *testing.T, url string) {
	s := open(t, url)
	cols := func(user string) store.Cols { return store.Cols{"namespace_id": "ns", "user": user} }
	update(t, s, func(tx store.Tx) error {
		return tx.Put(store.Members, "m-1", cols("alice"), doc{ID: "m-1", Name: "first"})
	})
	update(t, s, func(tx store.Tx) error {
		return tx.Put(store.Members, "m-1", cols("bob"), doc{ID: "m-1", Name: "second"})
	})
	if got := list(t, s, store.Members, store.Query{Where: store.Cols{"user": "alice"}}); len(got) != 0 {
		t.Fatalf("the replaced column value still matches: %+v", got)
	}
	if got := list(t, s, store.Members, store.Query{Where: store.Cols{"user": "bob"}}); len(got) != 1 || got[0].Name != "second" {
		t.Fatalf("members of bob = %+v, want the replaced document", got)
	}
	// The freed unique key (ns, alice) can be taken by another record now.
	update(t, s, func(tx store.Tx) error {
		return tx.Put(store.Members, "m-2", cols("alice"), doc{ID: "m-2", Name: "third"})
	})
	if got := names(list(t, s, store.Members, store.Query{OrderBy: "user"})); !slices.Equal(got, []string{"third", "second"}) {
		t.Fatalf("members by user = %v", got)
	}
}

func testInsertMany(t *testing.T, url string) {
	ctx := context.Background()
	s := open(t, url)
	const n = 1234 // more than one statement's worth
	rows := make([]store.Row, n)
	for i := range rows {
		id := fmt.Sprintf("o-%04d", i)
		rows[i] = store.Row{ID: id, Cols: store.Cols{"namespace_id": "ns", "kind": "variables", "name": id, "clone_id": "c"}, Doc: doc{ID: id, Name: id}}
	}
	update(t, s, func(tx store.Tx) error { return tx.InsertMany(store.Objects, rows) })
	var count int
	_ = s.View(ctx, func(tx store.Tx) (err error) {
		count, err = tx.Count(store.Objects, store.Cols{"clone_id": "c"})
		return
	})
	if count != n {
		t.Fatalf("InsertMany of %d rows stored %d", n, count)
	}
	// One taken name in a batch fails the batch, and the transaction keeps nothing of it.
	clash := []store.Row{
		{ID: "x-1", Cols: store.Cols{"namespace_id": "ns", "kind": "variables", "name": "fresh", "clone_id": "d"}, Doc: doc{ID: "x-1"}},
		{ID: "x-2", Cols: store.Cols{"namespace_id": "ns", "kind": "variables", "name": "o-0007", "clone_id": "d"}, Doc: doc{ID: "x-2"}},
	}
	err := s.Update(ctx, func(tx store.Tx) error { return tx.InsertMany(store.Objects, clash) })
	if !errors.Is(err, store.ErrConflict) {
		t.Fatalf("a batch with a taken name: %v, want ErrConflict", err)
	}
	_ = s.View(ctx, func(tx store.Tx) (err error) {
		count, err = tx.Count(store.Objects, store.Cols{"clone_id": "d"})
		return
	})
	if count != 0 {
		t.Fatalf("a failed batch left %d records", count)
	}
	// PutMany replaces existing records and adds new ones, columns included: ids o-0000, o-0003, ...,
	// o-1797, of which the 412 up to o-1233 exist.
	puts := make([]store.Row, 0, 600)
	for i := range 600 {
		id := fmt.Sprintf("o-%04d", i*3)
		puts = append(puts, store.Row{ID: id, Cols: store.Cols{"namespace_id": "ns", "kind": "variables", "name": id, "clone_id": "put"}, Doc: doc{ID: id, Name: "put"}})
	}
	update(t, s, func(tx store.Tx) error { return tx.PutMany(store.Objects, puts) })
	var total int
	_ = s.View(ctx, func(tx store.Tx) (err error) {
		if count, err = tx.Count(store.Objects, store.Cols{"clone_id": "put"}); err != nil {
			return err
		}
		total, err = tx.Count(store.Objects, nil)
		return err
	})
	if count != 600 || total != n+600-412 {
		t.Fatalf("PutMany: %d records carry the new column (want 600), %d in all (want %d)", count, total, n+600-412)
	}
	// Rows of one batch set the same columns.
	mixed := []store.Row{clash[0], {ID: "x-3", Cols: store.Cols{"namespace_id": "ns"}, Doc: doc{}}}
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.InsertMany(store.Objects, mixed) }); err == nil {
		t.Fatal("a batch whose rows set different columns was accepted")
	}
}
