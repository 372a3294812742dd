package storetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/streamstate/terraform-provider-flink/internal/store"
)

// Names sort by their bytes on every backend (PostgreSQL's default collation would not), and integer
// columns sort as numbers.
func testListOrder(t *testing.T, url string) {
	s := open(t, url)
	input := []string{"b", "a_b", "B", "a-b", "a", "Z", "é", "10"}
	update(t, s, func(tx store.Tx) error {
		for i, n := range input {
			id := fmt.Sprintf("w-%d", i)
			if err := tx.Insert(store.Workspaces, id, store.Cols{"name": n}, doc{ID: id, Name: n}); err != nil {
				return err
			}
		}
		return nil
	})
	want := slices.Clone(input)
	slices.Sort(want) // Go compares strings bytewise
	if got := names(list(t, s, store.Workspaces, store.Query{OrderBy: "name"})); !slices.Equal(got, want) {
		t.Fatalf("ascending by name = %q, want %q", got, want)
	}
	if got := names(list(t, s, store.Workspaces, store.Query{OrderBy: "name", Limit: 3, Offset: 2})); !slices.Equal(got, want[2:5]) {
		t.Fatalf("limit 3 offset 2 = %q, want %q", got, want[2:5])
	}
	if got := names(list(t, s, store.Workspaces, store.Query{OrderBy: "name", Offset: 6})); !slices.Equal(got, want[6:]) {
		t.Fatalf("offset 6 without a limit = %q, want %q", got, want[6:])
	}
	slices.Reverse(want)
	if got := names(list(t, s, store.Workspaces, store.Query{OrderBy: "name", Desc: true})); !slices.Equal(got, want) {
		t.Fatalf("descending by name = %q, want %q", got, want)
	}
	if got := list(t, s, store.Workspaces, store.Query{Where: store.Cols{"name": "A"}}); len(got) != 0 {
		t.Fatalf("equality matched another case: %+v", got)
	}

	update(t, s, func(tx store.Tx) error {
		for _, seq := range []int{10, 2, 33, 1} {
			id := fmt.Sprintf("i-%d", seq)
			if err := tx.Insert(store.CloneItems, id, store.Cols{"clone_id": "c", "seq": seq, "status": "DONE"}, doc{ID: id, Count: seq}); err != nil {
				return err
			}
		}
		return nil
	})
	var items []doc
	_ = s.View(context.Background(), func(tx store.Tx) error {
		return tx.List(store.CloneItems, store.Query{Where: store.Cols{"clone_id": "c"}, OrderBy: "seq"}, &items)
	})
	var seqs []int
	for _, it := range items {
		seqs = append(seqs, it.Count)
	}
	if !slices.Equal(seqs, []int{1, 2, 10, 33}) {
		t.Fatalf("clone items by seq = %v, want numeric order", seqs)
	}
	// Without OrderBy, records come in id order.
	if got := list(t, s, store.Workspaces, store.Query{Limit: 2}); len(got) != 2 || got[0].ID != "w-0" || got[1].ID != "w-1" {
		t.Fatalf("default order = %+v, want by id", got)
	}
}

func testCountDeleteWhere(t *testing.T, url string) {
	ctx := context.Background()
	s := open(t, url)
	update(t, s, func(tx store.Tx) error {
		for i := range 5 {
			status := "DONE"
			if i%2 == 0 {
				status = "FAILED"
			}
			id := fmt.Sprintf("i-%d", i)
			if err := tx.Insert(store.CloneItems, id, store.Cols{"clone_id": "c", "seq": i, "status": status}, doc{ID: id}); err != nil {
				return err
			}
		}
		return nil
	})
	var failed, deleted, left int
	err := s.Update(ctx, func(tx store.Tx) (err error) {
		if failed, err = tx.Count(store.CloneItems, store.Cols{"clone_id": "c", "status": "FAILED"}); err != nil {
			return err
		}
		if deleted, err = tx.DeleteWhere(store.CloneItems, store.Cols{"status": "FAILED"}); err != nil {
			return err
		}
		if err := tx.Delete(store.CloneItems, "i-1"); err != nil {
			return err
		}
		if err := tx.Delete(store.CloneItems, "missing"); err != nil {
			return fmt.Errorf("deleting a missing record: %w", err)
		}
		left, err = tx.Count(store.CloneItems, nil)
		return err
	})
	if err != nil || failed != 3 || deleted != 3 || left != 1 {
		t.Fatalf("failed %d, deleted %d, left %d, err %v; want 3, 3, 1", failed, deleted, left, err)
	}
}

// Ids and column values are bytes: a NUL (the engine's idempotency ids join user and key with one), a
// \x01 and invalid UTF-8 are stored, told apart, matched and ordered bytewise on every backend.
func testBinaryKeys(t *testing.T, url string) {
	ctx := context.Background()
	s := open(t, url)
	ids := []string{"a\x00b", "a\x01b", "a\xffb", "a", "ab", "a\x00", "\xc3("}
	update(t, s, func(tx store.Tx) error {
		for _, id := range ids {
			if err := tx.Put(store.IdempotencyKeys, id, store.Cols{"created_at": id}, doc{ID: id, Name: id}); err != nil {
				return err
			}
		}
		return nil
	})
	err := s.View(ctx, func(tx store.Tx) error {
		for _, id := range ids {
			var d doc
			if err := tx.Get(store.IdempotencyKeys, id, &d); err != nil {
				return fmt.Errorf("get %q: %w", id, err)
			}
			var got []doc
			if err := tx.List(store.IdempotencyKeys, store.Query{Where: store.Cols{"created_at": id}}, &got); err != nil {
				return err
			}
			if len(got) != 1 {
				return fmt.Errorf("where created_at = %q matched %d records", id, len(got))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := slices.Clone(ids)
	slices.Sort(want)
	var got []string
	for _, d := range list(t, s, store.IdempotencyKeys, store.Query{}) {
		got = append(got, d.ID)
	}
	// JSON turns invalid UTF-8 into U+FFFD, and only valid text has an order to keep: compare the rest.
	var ordered []string
	for _, id := range got {
		if utf8.ValidString(id) && !strings.ContainsRune(id, utf8.RuneError) {
			ordered = append(ordered, id)
		}
	}
	want = slices.DeleteFunc(want, func(id string) bool { return !utf8.ValidString(id) })
	if !slices.Equal(ordered, want) || len(got) != len(ids) {
		t.Fatalf("ids in order = %q, want %q first (and %d in all)", got, want, len(ids))
	}
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.Delete(store.IdempotencyKeys, "a\x00b") }); err != nil {
		t.Fatal(err)
	}
	if err := s.View(ctx, func(tx store.Tx) error { return tx.Get(store.IdempotencyKeys, "a\x00b", &doc{}) }); err == nil {
		t.Fatal("a deleted id with a NUL is still found")
	}
}
