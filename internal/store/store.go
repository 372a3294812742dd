// Package store persists the engine's metadata. Every record is a JSON document keyed by id in a table
// that also carries a few indexed columns for lookups and uniqueness. The engine sees only the Store and
// Tx interfaces, so a PostgreSQL implementation can follow the SQLite one without touching the engine.
package store

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned by Get when no record has the id.
var ErrNotFound = errors.New("store: not found")

// ErrConflict is returned by Insert when the id or a unique index is already taken.
var ErrConflict = errors.New("store: conflict")

// Cols are a record's indexed columns (or a query's equality filter). Values are string, int64, int or bool.
type Cols map[string]any

// Query selects records of a table.
type Query struct {
	Where   Cols
	OrderBy string // an indexed column or "id"; default "id"
	Desc    bool
	Limit   int // 0 = no limit
	Offset  int
}

// Store runs transactions. Update transactions are serialised; View transactions see a consistent snapshot.
type Store interface {
	Update(ctx context.Context, fn func(Tx) error) error
	View(ctx context.Context, fn func(Tx) error) error
	Close() error
}

// Tx reads and writes records inside one transaction.
type Tx interface {
	// Get decodes the record's document into out.
	Get(table, id string, out any) error
	// Insert adds a record; ErrConflict when the id or a unique index is taken.
	Insert(table, id string, cols Cols, doc any) error
	// Put inserts or replaces a record (ErrConflict on a unique index held by another id).
	Put(table, id string, cols Cols, doc any) error
	// Delete removes a record; a missing one is not an error.
	Delete(table, id string) error
	// List decodes matching documents into out, a pointer to a slice.
	List(table string, q Query, out any) error
	// Count counts matching records.
	Count(table string, where Cols) (int, error)
	// DeleteWhere removes matching records and returns how many.
	DeleteWhere(table string, where Cols) (int, error)
}

// TimeKey renders t as a fixed-width UTC string, so indexed times sort lexically.
func TimeKey(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000000000Z")
}
