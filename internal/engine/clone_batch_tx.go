package engine

import (
	"fmt"
	"slices"
	"strings"

	"github.com/streamstate/terraform-provider-flink/internal/store"
)

// batchTx writes a stateless clone batch with a few multi-row statements instead of four statements per
// object: each target object (Insert), its first version, its clone item and its source's LastClonedAt
// (Puts) are kept and written per table when the batch ends (InsertMany, PutMany).
//
// An Insert of a target object must still say at once whether its name is taken, to rename it: the
// names of the kind in the target are loaded when the kind starts (taken) and each kept insert adds its
// own. That set is exact because the target namespace is locked while the clone runs (nothing else
// writes names into it) and a namespace is in one clone at a time.
//
// Reads see the batch's own writes: a Get, List or Count on a table with kept rows writes them first.
// Kept objects rows never collide: the Puts only stamp LastClonedAt on source objects, which keep their
// indexed columns, and the inserts' names were checked against taken.
type batchTx struct {
	store.Tx
	targetNS string
	taken    map[string]bool // names of the current kind in targetNS; nil: Inserts go straight through
	added    map[string]bool // names this transaction inserts: into taken once it commits (a retried one must not see them)
	inserts  []store.Row     // target objects, inserted by flush before the kept Puts
	kept     map[string][]store.Row
	index    map[string]map[string]int // table -> id -> position in kept (a second Put of an id replaces the first)
}

// batchedTables are the tables whose Puts a batch keeps.
var batchedTables = map[string]bool{store.ObjectVersions: true, store.CloneItems: true, store.Objects: true}

func newBatchTx(tx store.Tx, targetNS string, taken map[string]bool) *batchTx {
	return &batchTx{Tx: tx, targetNS: targetNS, taken: taken, added: map[string]bool{}, kept: map[string][]store.Row{},
		index: map[string]map[string]int{}}
}

// committed adds the names the committed transaction inserted to taken, for the next batch.
func (b *batchTx) committed() {
	for n := range b.added {
		b.taken[n] = true
	}
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
	if table == store.Objects && len(b.inserts) > 0 {
		inserts := b.inserts
		b.inserts = nil
		if err := b.Tx.InsertMany(store.Objects, inserts); err != nil {
			return err
		}
	}
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

// Insert of a target object is kept, or refused at once when its name is taken; any other Insert writes
// the table's kept rows first.
func (b *batchTx) Insert(table, id string, cols store.Cols, doc any) error {
	if table != store.Objects || b.taken == nil || cols["namespace_id"] != b.targetNS {
		if err := b.flush(table); err != nil {
			return err
		}
		return b.Tx.Insert(table, id, cols, doc)
	}
	name, _ := cols["name"].(string)
	if b.taken[name] || b.added[name] {
		return fmt.Errorf("%s %s: %w", table, id, store.ErrConflict)
	}
	b.added[name] = true
	b.inserts = append(b.inserts, store.Row{ID: id, Cols: cols, Doc: doc})
	return nil
}
