// Package store persists the engine's metadata. Every record is a JSON document keyed by id in a table
// that also carries a few indexed columns for lookups and uniqueness. The engine sees only the Store and
// Tx interfaces; SQLite (embedded, the default) and PostgreSQL (several replicas) implement them over one
// SQL layer (sqlstore.go) with a small dialect each, and internal/storetest holds the contract's tests.
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

// Row is one record for InsertMany.
type Row struct {
	ID   string
	Cols Cols
	Doc  any
}

// Store runs transactions. Update transactions are serialised; View transactions see a consistent snapshot.
//
// On PostgreSQL an Update whose transaction loses a serialisation race is run again from the start, so
// fn must have no side effects outside tx (do I/O before Update, clean up after a failed one).
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
	// InsertMany adds records like Insert, in as few statements as the database allows (a clone writes a
	// batch at once). ErrConflict when any id or unique index is taken; the transaction should then be
	// abandoned, as which of the rows were added is unspecified.
	InsertMany(table string, rows []Row) error
	// Put inserts or replaces a record (ErrConflict on a unique index held by another id; on PostgreSQL
	// that error ends the transaction, so return it).
	Put(table, id string, cols Cols, doc any) error
	// PutMany is Put for many records at once, in as few statements as the database allows; each id at
	// most once per call.
	PutMany(table string, rows []Row) error
	// Delete removes a record; a missing one is not an error.
	Delete(table, id string) error
	// List decodes matching documents into out, a pointer to a slice.
	List(table string, q Query, out any) error
	// Count counts matching records.
	Count(table string, where Cols) (int, error)
	// DeleteWhere removes matching records and returns how many.
	DeleteWhere(table string, where Cols) (int, error)
	// Now is the database's clock (UTC), the one every replica shares: leases expire by it. SQLite, which
	// one process holds, answers with that process's clock.
	Now() (time.Time, error)
}

// TimeKey renders t as a fixed-width UTC string, so indexed times sort lexically.
func TimeKey(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000000000Z")
}
