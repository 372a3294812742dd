package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"time"
)

// sqlTx is a Tx over one database/sql transaction. Column names are always quoted: "user" is a
// reserved word in PostgreSQL.
type sqlTx struct {
	s   *sqlStore
	db  *sql.DB
	tx  *sql.Tx
	ctx context.Context
}

// insertBatch bounds the rows of one multi-row INSERT, well under both databases' bind parameter limits
// (32,766 in SQLite, 65,535 in PostgreSQL) for the widest table.
const insertBatch = 500

func (t *sqlTx) stmt(query string) (*sql.Stmt, error) {
	if !t.s.d.cacheStatements() {
		return nil, nil
	}
	st := t.s.prepared(t.db, query)
	if st == nil {
		return nil, nil
	}
	return t.tx.StmtContext(t.ctx, st), nil
}

func (t *sqlTx) exec(query string, args ...any) (sql.Result, error) {
	st, err := t.stmt(query)
	if err != nil {
		return nil, err
	}
	if st != nil {
		return st.ExecContext(t.ctx, args...)
	}
	return t.tx.ExecContext(t.ctx, query, args...)
}

func (t *sqlTx) query(query string, args ...any) (*sql.Rows, error) {
	st, err := t.stmt(query)
	if err != nil {
		return nil, err
	}
	if st != nil {
		return st.QueryContext(t.ctx, args...)
	}
	return t.tx.QueryContext(t.ctx, query, args...)
}

func (t *sqlTx) queryRow(query string, args ...any) *sql.Row {
	if st, err := t.stmt(query); err == nil && st != nil {
		return st.QueryRowContext(t.ctx, args...)
	}
	return t.tx.QueryRowContext(t.ctx, query, args...)
}

func quote(column string) string { return `"` + column + `"` }

func checkTable(table string) error {
	if _, ok := tableColumns[table]; !ok {
		return fmt.Errorf("store: unknown table %q", table)
	}
	return nil
}

// checkCols returns cols' names sorted, after checking that each is an indexed column of table.
func checkCols(table string, cols Cols) ([]string, error) {
	if err := checkTable(table); err != nil {
		return nil, err
	}
	names := make([]string, 0, len(cols))
	for c := range cols {
		if c != "id" && !slices.Contains(tableColumns[table], c) {
			return nil, fmt.Errorf("store: table %s has no indexed column %q", table, c)
		}
		names = append(names, c)
	}
	sort.Strings(names)
	return names, nil
}

func (t *sqlTx) Get(table, id string, out any) error {
	if err := checkTable(table); err != nil {
		return err
	}
	var doc string
	err := t.queryRow(`SELECT doc FROM `+table+` WHERE id = `+t.s.d.placeholder(1), t.s.d.key(id)).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s %s: %w", table, id, ErrNotFound)
	}
	if err != nil {
		return err
	}
	return json.Unmarshal([]byte(doc), out)
}

// insertSQL is a multi-row INSERT of rows records with columns (id, doc, names...), ending in tail.
func (t *sqlTx) insertSQL(table string, names []string, rows int, tail string) string {
	var b strings.Builder
	b.WriteString(`INSERT INTO ` + table + ` (id, doc`)
	for _, n := range names {
		b.WriteString(", " + quote(n))
	}
	b.WriteString(`) VALUES `)
	width := len(names) + 2
	for r := range rows {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(")
		for c := range width {
			if c > 0 {
				b.WriteString(", ")
			}
			b.WriteString(t.s.d.placeholder(r*width + c + 1))
		}
		b.WriteString(")")
	}
	b.WriteString(tail)
	return b.String()
}

// bindKey is v as bound to an id or indexed column: strings through the dialect's key.
func (t *sqlTx) bindKey(v any) any {
	if s, ok := v.(string); ok {
		return t.s.d.key(s)
	}
	return v
}

// appendRow appends a record's bind values (id, doc, then the columns in names' order).
func (t *sqlTx) appendRow(args []any, table string, names []string, r Row) ([]any, error) {
	body, err := json.Marshal(r.Doc)
	if err != nil {
		return nil, fmt.Errorf("store: encode %s %s: %w", table, r.ID, err)
	}
	args = append(args, t.s.d.key(r.ID), string(body))
	for _, n := range names {
		v, ok := r.Cols[n]
		if !ok {
			return nil, fmt.Errorf("store: %s %s lacks column %q that the other rows of the batch set", table, r.ID, n)
		}
		args = append(args, t.bindKey(v))
	}
	return args, nil
}

// Insert never fails inside the database on a taken key (ON CONFLICT DO NOTHING, then count the rows):
// a PostgreSQL transaction stays usable after ErrConflict, so a caller may try another name.
func (t *sqlTx) Insert(table, id string, cols Cols, doc any) error {
	return t.insertRows(table, []Row{{ID: id, Cols: cols, Doc: doc}})
}

func (t *sqlTx) InsertMany(table string, rows []Row) error {
	return t.batches(table, rows, t.insertRows)
}

// PutMany is Put for a batch: one multi-row upsert per insertBatch rows.
func (t *sqlTx) PutMany(table string, rows []Row) error {
	return t.batches(table, rows, t.putRows)
}

func (t *sqlTx) batches(table string, rows []Row, write func(string, []Row) error) error {
	for start := 0; start < len(rows); start += insertBatch {
		if err := write(table, rows[start:min(start+insertBatch, len(rows))]); err != nil {
			return err
		}
	}
	return nil
}

// batchArgs checks a batch's columns (every row sets those of the first) and returns the sorted column
// names and the bind values of all rows.
func (t *sqlTx) batchArgs(table string, rows []Row) ([]string, []any, error) {
	names, err := checkCols(table, rows[0].Cols)
	if err != nil {
		return nil, nil, err
	}
	args := make([]any, 0, len(rows)*(len(names)+2))
	for _, r := range rows {
		if len(r.Cols) != len(names) {
			return nil, nil, fmt.Errorf("store: %s %s sets other columns than the first row of its batch", table, r.ID)
		}
		if args, err = t.appendRow(args, table, names, r); err != nil {
			return nil, nil, err
		}
	}
	return names, args, nil
}

func (t *sqlTx) insertRows(table string, rows []Row) error {
	if len(rows) == 0 {
		return nil
	}
	names, args, err := t.batchArgs(table, rows)
	if err != nil {
		return err
	}
	res, err := t.exec(t.insertSQL(table, names, len(rows), ` ON CONFLICT DO NOTHING`), args...)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if int(n) != len(rows) {
		if len(rows) == 1 {
			return fmt.Errorf("%s %s: %w", table, rows[0].ID, ErrConflict)
		}
		return fmt.Errorf("%s: %d of %d records: %w", table, len(rows)-int(n), len(rows), ErrConflict)
	}
	return nil
}

// putRows is one upsert on the id for rows: a unique index held by another id still fails (REPLACE
// would silently delete that other record).
func (t *sqlTx) putRows(table string, rows []Row) error {
	if len(rows) == 0 {
		return nil
	}
	names, args, err := t.batchArgs(table, rows)
	if err != nil {
		return err
	}
	set := []string{"doc = excluded.doc"}
	for _, n := range names {
		set = append(set, quote(n)+" = excluded."+quote(n))
	}
	_, err = t.exec(t.insertSQL(table, names, len(rows), ` ON CONFLICT (id) DO UPDATE SET `+strings.Join(set, ", ")), args...)
	if t.s.d.isConflict(err) {
		if len(rows) == 1 {
			return fmt.Errorf("%s %s: %w", table, rows[0].ID, ErrConflict)
		}
		return fmt.Errorf("%s: %w", table, ErrConflict)
	}
	return err
}

func (t *sqlTx) Put(table, id string, cols Cols, doc any) error {
	return t.putRows(table, []Row{{ID: id, Cols: cols, Doc: doc}})
}

func (t *sqlTx) Delete(table, id string) error {
	if err := checkTable(table); err != nil {
		return err
	}
	_, err := t.exec(`DELETE FROM `+table+` WHERE id = `+t.s.d.placeholder(1), t.s.d.key(id))
	return err
}

func (t *sqlTx) where(table string, w Cols) (string, []any, error) {
	names, err := checkCols(table, w)
	if err != nil {
		return "", nil, err
	}
	if len(names) == 0 {
		return "", nil, nil
	}
	parts := make([]string, 0, len(names))
	args := make([]any, 0, len(names))
	for i, n := range names {
		parts = append(parts, quote(n)+" = "+t.s.d.placeholder(i+1))
		args = append(args, t.bindKey(w[n]))
	}
	return " WHERE " + strings.Join(parts, " AND "), args, nil
}

func (t *sqlTx) List(table string, q Query, out any) error {
	rv := reflect.ValueOf(out)
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Slice {
		return fmt.Errorf("store: List needs a pointer to a slice, got %T", out)
	}
	clause, args, err := t.where(table, q.Where)
	if err != nil {
		return err
	}
	order := "id"
	if q.OrderBy != "" {
		if _, err := checkCols(table, Cols{q.OrderBy: nil}); err != nil {
			return err
		}
		order = quote(q.OrderBy)
	}
	dir := " ASC"
	if q.Desc {
		dir = " DESC"
	}
	stmt := `SELECT doc FROM ` + table + clause + ` ORDER BY ` + order + dir + `, id` + dir
	if q.Limit > 0 {
		stmt += fmt.Sprintf(" LIMIT %d OFFSET %d", q.Limit, q.Offset)
	} else if q.Offset > 0 {
		stmt += t.s.d.offsetOnly(q.Offset)
	}
	rows, err := t.query(stmt, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	slice := rv.Elem()
	slice.SetLen(0)
	for rows.Next() {
		var doc string
		if err := rows.Scan(&doc); err != nil {
			return err
		}
		item := reflect.New(slice.Type().Elem())
		if err := json.Unmarshal([]byte(doc), item.Interface()); err != nil {
			return fmt.Errorf("store: decode %s: %w", table, err)
		}
		slice = reflect.Append(slice, item.Elem())
	}
	rv.Elem().Set(slice)
	return rows.Err()
}

func (t *sqlTx) Count(table string, w Cols) (int, error) {
	clause, args, err := t.where(table, w)
	if err != nil {
		return 0, err
	}
	var n int
	err = t.queryRow(`SELECT COUNT(*) FROM `+table+clause, args...).Scan(&n)
	return n, err
}

func (t *sqlTx) DeleteWhere(table string, w Cols) (int, error) {
	clause, args, err := t.where(table, w)
	if err != nil {
		return 0, err
	}
	res, err := t.exec(`DELETE FROM `+table+clause, args...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

func (t *sqlTx) Now() (time.Time, error) {
	now, err := t.s.d.now(t.ctx, t.tx)
	return now.UTC(), err
}
