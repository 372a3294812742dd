package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver (pure Go, no cgo)
)

// OpenSQLite opens (creating if needed) the embedded store, one database file in WAL mode at path, and
// applies pending migrations. Writes are queued in the process (SQLite has one writer anyway, and
// BEGIN IMMEDIATE avoids busy upgrades); reads use a small pool of their own.
func OpenSQLite(ctx context.Context, path string) (Store, error) {
	if err := secureDBFiles(path); err != nil {
		return nil, err
	}
	writer, err := sql.Open("sqlite", sqliteDSN(path, "immediate"))
	if err != nil {
		return nil, fmt.Errorf("open metadata store %s: %w", path, err)
	}
	writer.SetMaxOpenConns(2) // one for transactions (writeSlot), one to prepare statements meanwhile
	reader, err := sql.Open("sqlite", sqliteDSN(path, "deferred"))
	if err != nil {
		writer.Close()
		return nil, fmt.Errorf("open metadata store %s: %w", path, err)
	}
	reader.SetMaxOpenConns(4)
	s := &sqlStore{d: sqliteDialect{}, writer: writer, reader: reader, writeSlot: make(chan struct{}, 1)}
	s.close = func() error { return errors.Join(reader.Close(), writer.Close()) }
	if err := connectWhileBusy(ctx, writer); err != nil {
		s.Close()
		return nil, fmt.Errorf("open metadata store %s: %w", path, err)
	}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("open metadata store %s: %w", path, err)
	}
	// The -wal and -shm files exist now: make sure they were not created with a wider mode.
	if err := secureDBFiles(path); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// connectWhileBusy opens the writer's first connection, trying again while the file is busy. A new
// connection switches the file to WAL, which takes an exclusive lock; when processes open a new
// file together, SQLite answers SQLITE_BUSY at once rather than wait for a lock it could deadlock on,
// so busy_timeout does not cover it. Once the file is in WAL, the switch is a no-op.
func connectWhileBusy(ctx context.Context, db *sql.DB) error {
	deadline := time.Now().Add(sqliteBusyTimeout)
	for attempt := 1; ; attempt++ {
		err := db.PingContext(ctx)
		if err == nil || !isBusy(err) || time.Now().After(deadline) {
			return err
		}
		if werr := backOff(ctx, attempt); werr != nil {
			return errors.Join(werr, err)
		}
	}
}

// isBusy reports SQLITE_BUSY and its extended codes.
func isBusy(err error) bool { return sqlitePrimaryCode(err) == 5 }

// sqlitePrimaryCode is the primary result code of an SQLite error (its extended code's low byte), or -1.
func sqlitePrimaryCode(err error) int {
	var coded interface{ Code() int }
	if errors.As(err, &coded) {
		return coded.Code() & 0xff
	}
	return -1
}

// sqliteBusyTimeout is how long a statement waits for another writer of the file.
const sqliteBusyTimeout = 10 * time.Second

func sqliteDSN(path, txlock string) string {
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", fmt.Sprintf("busy_timeout(%d)", sqliteBusyTimeout.Milliseconds()), "synchronous(NORMAL)", "foreign_keys(1)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", txlock)
	return "file:" + path + "?" + q.Encode()
}

type sqliteDialect struct{}

func (sqliteDialect) placeholder(int) string                          { return "?" }
func (sqliteDialect) offsetOnly(offset int) string                    { return fmt.Sprintf(" LIMIT -1 OFFSET %d", offset) }
func (sqliteDialect) isRetryable(error) bool                          { return false }
func (sqliteDialect) ddl(migration string) string                     { return migration }
func (sqliteDialect) updateOptions() *sql.TxOptions                   { return nil } // BEGIN IMMEDIATE on the one writer
func (sqliteDialect) viewOptions() *sql.TxOptions                     { return nil } // a deferred read sees one WAL snapshot
func (sqliteDialect) cacheStatements() bool                           { return true }
func (sqliteDialect) key(s string) string                             { return s } // SQLite text holds any bytes
func (sqliteDialect) now(context.Context, *sql.Tx) (time.Time, error) { return time.Now(), nil }

// lockMigrations needs no lock: each migration runs in a BEGIN IMMEDIATE transaction, which excludes
// every other writer of the file, and checks schema_migrations inside it.
func (sqliteDialect) lockMigrations(context.Context, *sql.Conn) (func(), error) {
	return func() {}, nil
}

// isConflict reports a UNIQUE or PRIMARY KEY violation (SQLITE_CONSTRAINT and its extended codes).
func (sqliteDialect) isConflict(err error) bool { return sqlitePrimaryCode(err) == 19 } // SQLITE_CONSTRAINT
