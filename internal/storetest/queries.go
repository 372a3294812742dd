package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"

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
