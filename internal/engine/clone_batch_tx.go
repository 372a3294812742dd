package engine

import (
	"slices"
	"strings"

	"github.com/streamstate/terraform-provider-flink/internal/store"
)

// batchTx writes the bookkeeping of a stateless clone batch together: each object's first version, its
// clone item and its source's LastClonedAt are Puts that nothing in the batch needs back at once, so they
// are kept and written by one multi-row statement per table (PutMany) when the batch ends, instead of
// three statements per object. The target objects themselves are inserted at once: a taken name must be
// known to rename it.
//
// Reads see the batch's own writes: a Get, List or Count on a table with kept rows writes them first.
// An Insert into objects does not: the kept objects rows only stamp LastClonedAt on source objects, which
// keep their indexed columns, so they cannot collide with a target's name.
type batchTx struct {
	store.Tx
	kept  map[string][]store.Row
	index map[string]map[string]int // table -> id -> position in kept (a second Put of an id replaces the first)
}

// batchedTables are the tables whose Puts a batch keeps.
var batchedTables = map[string]bool{store.ObjectVersions: true, store.CloneItems: true, store.Objects: true}

func newBatchTx(tx store.Tx) *batchTx {
	return &batchTx{Tx: tx, kept: map[string][]store.Row{}, index: map[string]map[string]int{}}
}

func (b *batchTx) Put(table, id string, cols store.Cols, doc any) error {
	if !batchedTables[table] {
		return b.Tx.Put(table, id, cols, doc)
	}
	row := store.Row{ID: id, Cols: cols, Doc: doc}
	if b.index[table] == nil {
		b.index[table] = map[string]int{}
	}
	if i, ok := b.index[table][id]; ok {
		b.kept[table][i] = row
		return nil
	}
	b.index[table][id] = len(b.kept[table])
	b.kept[table] = append(b.kept[table], row)
	return nil
}

// flush writes table's kept rows, grouped by the columns they set (PutMany wants one set per call).
func (b *batchTx) flush(table string) error {
	rows := b.kept[table]
	if len(rows) == 0 {
		return nil
	}
	delete(b.kept, table)
	delete(b.index, table)
	groups := map[string][]store.Row{}
	var order []string
	for _, r := range rows {
		k := columnSet(r.Cols)
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], r)
	}
	for _, k := range order {
		if err := b.Tx.PutMany(table, groups[k]); err != nil {
			return err
		}
	}
	return nil
}

// flushAll writes every kept row; the batch's transaction calls it before it commits.
func (b *batchTx) flushAll() error {
	for _, table := range []string{store.Objects, store.ObjectVersions, store.CloneItems} {
		if err := b.flush(table); err != nil {
			return err
		}
	}
	return nil
}

func columnSet(cols store.Cols) string {
	names := make([]string, 0, len(cols))
	for c := range cols {
		names = append(names, c)
	}
	slices.Sort(names)
	return strings.Join(names, ",")
}

func (b *batchTx) Get(table, id string, out any) error {
	if err := b.flush(table); err != nil {
		return err
	}
	return b.Tx.Get(table, id, out)
}

func (b *batchTx) List(table string, q store.Query, out any) error {
	if err := b.flush(table); err != nil {
		return err
	}
	return b.Tx.List(table, q, out)
}

func (b *batchTx) Count(table string, where store.Cols) (int, error) {
	if err := b.flush(table); err != nil {
		return 0, err
	}
	return b.Tx.Count(table, where)
}

func (b *batchTx) Delete(table, id string) error {
	if err := b.flush(table); err != nil {
		return err
	}
	return b.Tx.Delete(table, id)
}

func (b *batchTx) DeleteWhere(table string, where store.Cols) (int, error) {
	if err := b.flush(table); err != nil {
		return 0, err
	}
	return b.Tx.DeleteWhere(table, where)
}

func (b *batchTx) PutMany(table string, rows []store.Row) error {
	if err := b.flush(table); err != nil {
		return err
	}
	return b.Tx.PutMany(table, rows)
}

func (b *batchTx) InsertMany(table string, rows []store.Row) error {
	if err := b.flush(table); err != nil {
		return err
	}
	return b.Tx.InsertMany(table, rows)
}

// Insert into objects keeps the kept rows (see batchTx); into any other table it writes them first.
func (b *batchTx) Insert(table, id string, cols store.Cols, doc any) error {
	if table != store.Objects {
		if err := b.flush(table); err != nil {
			return err
		}
	}
	return b.Tx.Insert(table, id, cols, doc)
}
