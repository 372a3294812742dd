package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"slices"
	"sort"
	"strings"

	_ "modernc.org/sqlite" // registers the "sqlite" driver (pure Go, no cgo)
)

// SQLite is the embedded store: one file in WAL mode. Writes go through a single connection (SQLite has
// one writer anyway, and BEGIN IMMEDIATE avoids busy upgrades); reads use a small pool of their own.
type SQLite struct {
	writer *sql.DB
	reader *sql.DB
}

var _ Store = (*SQLite)(nil)

// OpenSQLite opens (creating if needed) the database file at path and applies pending migrations.
func OpenSQLite(ctx context.Context, path string) (*SQLite, error) {
	dsn := func(txlock string) string {
		q := url.Values{}
		for _, p := range []string{"journal_mode(WAL)", "busy_timeout(10000)", "synchronous(NORMAL)", "foreign_keys(1)"} {
			q.Add("_pragma", p)
		}
		q.Set("_txlock", txlock)
		return "file:" + path + "?" + q.Encode()
	}
	if err := secureDBFiles(path); err != nil {
		return nil, err
	}
	writer, err := sql.Open("sqlite", dsn("immediate"))
	if err != nil {
		return nil, fmt.Errorf("open metadata store %s: %w", path, err)
	}
	writer.SetMaxOpenConns(1)
	reader, err := sql.Open("sqlite", dsn("deferred"))
	if err != nil {
		writer.Close()
		return nil, fmt.Errorf("open metadata store %s: %w", path, err)
	}
	reader.SetMaxOpenConns(4)
	s := &SQLite{writer: writer, reader: reader}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	// The -wal and -shm files exist now: make sure they were not created with a wider mode.
	if err := secureDBFiles(path); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *SQLite) migrate(ctx context.Context) error {
	if _, err := s.writer.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	for i, m := range migrations {
		version := i + 1
		err := s.tx(ctx, s.writer, func(tx *sql.Tx) error {
			var n int
			if err := tx.QueryRow(`SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := tx.Exec(m); err != nil {
				return err
			}
			_, err := tx.Exec(`INSERT INTO schema_migrations (version) VALUES (?)`, version)
			return err
		})
		if err != nil {
			return fmt.Errorf("apply migration %d: %w", version, err)
		}
	}
	return nil
}

// Close closes both pools.
func (s *SQLite) Close() error {
	return errors.Join(s.reader.Close(), s.writer.Close())
}

// Update runs fn in a write transaction.
func (s *SQLite) Update(ctx context.Context, fn func(Tx) error) error {
	return s.tx(ctx, s.writer, func(tx *sql.Tx) error { return fn(&sqliteTx{tx: tx}) })
}

// View runs fn in a read transaction.
func (s *SQLite) View(ctx context.Context, fn func(Tx) error) error {
	return s.tx(ctx, s.reader, func(tx *sql.Tx) error { return fn(&sqliteTx{tx: tx}) })
}

func (s *SQLite) tx(ctx context.Context, db *sql.DB, fn func(*sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

type sqliteTx struct{ tx *sql.Tx }

func checkTable(table string) error {
	if _, ok := tableColumns[table]; !ok {
		return fmt.Errorf("store: unknown table %q", table)
	}
	return nil
}

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

func (t *sqliteTx) Get(table, id string, out any) error {
	if err := checkTable(table); err != nil {
		return err
	}
	var doc string
	err := t.tx.QueryRow(`SELECT doc FROM `+table+` WHERE id = ?`, id).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s %s: %w", table, id, ErrNotFound)
	}
	if err != nil {
		return err
	}
	return json.Unmarshal([]byte(doc), out)
}

func (t *sqliteTx) write(verb, table, id string, cols Cols, doc any) error {
	names, err := checkCols(table, cols)
	if err != nil {
		return err
	}
	body, err := json.Marshal(doc)
	if err != nil {
		return fmt.Errorf("store: encode %s %s: %w", table, id, err)
	}
	columns := append([]string{"id", "doc"}, names...)
	args := []any{id, string(body)}
	for _, n := range names {
		args = append(args, cols[n])
	}
	marks := strings.TrimSuffix(strings.Repeat("?,", len(columns)), ",")
	_, err = t.tx.Exec(verb+` INTO `+table+` (`+strings.Join(columns, ",")+`) VALUES (`+marks+`)`, args...)
	if isConstraint(err) {
		return fmt.Errorf("%s %s: %w", table, id, ErrConflict)
	}
	return err
}

func (t *sqliteTx) Insert(table, id string, cols Cols, doc any) error {
	return t.write("INSERT", table, id, cols, doc)
}

func (t *sqliteTx) Put(table, id string, cols Cols, doc any) error {
	// REPLACE would silently delete another row holding a unique key; delete our own row first instead,
	// so a unique clash with another id still fails.
	if err := t.Delete(table, id); err != nil {
		return err
	}
	return t.write("INSERT", table, id, cols, doc)
}

func (t *sqliteTx) Delete(table, id string) error {
	if err := checkTable(table); err != nil {
		return err
	}
	_, err := t.tx.Exec(`DELETE FROM `+table+` WHERE id = ?`, id)
	return err
}

func where(table string, w Cols) (string, []any, error) {
	names, err := checkCols(table, w)
	if err != nil {
		return "", nil, err
	}
	if len(names) == 0 {
		return "", nil, nil
	}
	parts := make([]string, 0, len(names))
	args := make([]any, 0, len(names))
	for _, n := range names {
		parts = append(parts, n+" = ?")
		args = append(args, w[n])
	}
	return " WHERE " + strings.Join(parts, " AND "), args, nil
}

func (t *sqliteTx) List(table string, q Query, out any) error {
	rv := reflect.ValueOf(out)
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Slice {
		return fmt.Errorf("store: List needs a pointer to a slice, got %T", out)
	}
	clause, args, err := where(table, q.Where)
	if err != nil {
		return err
	}
	order := "id"
	if q.OrderBy != "" {
		if _, err := checkCols(table, Cols{q.OrderBy: nil}); err != nil {
			return err
		}
		order = q.OrderBy
	}
	dir := " ASC"
	if q.Desc {
		dir = " DESC"
	}
	stmt := `SELECT doc FROM ` + table + clause + ` ORDER BY ` + order + dir + `, id` + dir
	if q.Limit > 0 {
		stmt += fmt.Sprintf(" LIMIT %d OFFSET %d", q.Limit, q.Offset)
	} else if q.Offset > 0 {
		stmt += fmt.Sprintf(" LIMIT -1 OFFSET %d", q.Offset)
	}
	rows, err := t.tx.Query(stmt, args...)
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

func (t *sqliteTx) Count(table string, w Cols) (int, error) {
	clause, args, err := where(table, w)
	if err != nil {
		return 0, err
	}
	var n int
	err = t.tx.QueryRow(`SELECT COUNT(*) FROM `+table+clause, args...).Scan(&n)
	return n, err
}

func (t *sqliteTx) DeleteWhere(table string, w Cols) (int, error) {
	clause, args, err := where(table, w)
	if err != nil {
		return 0, err
	}
	res, err := t.tx.Exec(`DELETE FROM `+table+clause, args...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// isConstraint reports a UNIQUE or PRIMARY KEY violation (SQLITE_CONSTRAINT and its extended codes).
func isConstraint(err error) bool {
	var coded interface{ Code() int }
	if errors.As(err, &coded) {
		return coded.Code()&0xff == 19 // SQLITE_CONSTRAINT
	}
	return false
}
