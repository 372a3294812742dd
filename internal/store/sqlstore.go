package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"
)

// dialect is what differs between the SQL databases behind the one SQL layer.
type dialect interface {
	// placeholder is the n-th (1-based) bind parameter: ? or $n.
	placeholder(n int) string
	// offsetOnly skips rows without a limit (SQLite needs LIMIT -1).
	offsetOnly(offset int) string
	// isConflict reports a unique or primary key violation (SQLite code 19, SQLSTATE 23505).
	isConflict(err error) bool
	// isRetryable reports a serialisation failure or deadlock whose transaction may run again.
	isRetryable(err error) bool
	// ddl adapts a migration written for SQLite (column types, collation).
	ddl(migration string) string
	// now reads the database clock.
	now(ctx context.Context, tx *sql.Tx) (time.Time, error)
	// updateOptions and viewOptions begin Update and View transactions.
	updateOptions() *sql.TxOptions
	viewOptions() *sql.TxOptions
	// lockMigrations holds off other processes migrating the same database until unlock.
	lockMigrations(ctx context.Context, conn *sql.Conn) (unlock func(), err error)
	// cacheStatements: prepare each query once per connection through database/sql (pgx caches its own).
	cacheStatements() bool
	// key maps a string bound to an id or indexed column to what the database can hold (PostgreSQL's
	// text takes neither NUL nor invalid UTF-8; SQLite's takes any bytes), injectively and keeping order.
	key(s string) string
}

// sqlStore is the Store over database/sql, shared by both backends.
type sqlStore struct {
	d      dialect
	writer *sql.DB // Update transactions
	reader *sql.DB // View transactions (the same pool as writer on PostgreSQL)
	stmts  sync.Map
	close  func() error // closes the pools
	// preparing counts the background preparations under way; closed (under prepMu) stops new ones, so
	// Close waits for them instead of closing the pools under a preparation that then opens a connection
	// (on SQLite, files in a directory the caller is about to remove).
	prepMu    sync.Mutex
	closed    bool
	preparers sync.WaitGroup
	// writeSlot, when set, queues Updates in this process (SQLite: one writer, and the writer pool keeps
	// a second connection free so statements can be prepared while a transaction holds the first). A
	// channel, not a mutex: a waiting Update gives up when its context ends.
	writeSlot chan struct{}
}

var _ Store = (*sqlStore)(nil)

// retryBudget bounds how long an Update is retried after serialisation failures. A time, not a count:
// twenty quick attempts (about 1.5 s) ran out for a job start that met another replica renewing a
// thousand leases on a loaded CI machine; the budget is well inside a client's request timeout.
const retryBudget = 15 * time.Second

func (s *sqlStore) Close() error {
	s.prepMu.Lock()
	s.closed = true
	s.prepMu.Unlock()
	s.preparers.Wait()
	s.closeStatements()
	return s.close()
}

// Update runs fn in a serialised write transaction, again from the start when the database reports a
// serialisation failure (PostgreSQL's SERIALIZABLE; SQLite's single writer never does).
func (s *sqlStore) Update(ctx context.Context, fn func(Tx) error) error {
	if s.writeSlot != nil {
		select {
		case s.writeSlot <- struct{}{}:
			defer func() { <-s.writeSlot }()
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	deadline := time.Now().Add(retryBudget)
	for attempt := 1; ; attempt++ {
		err := s.run(ctx, s.writer, s.d.updateOptions(), fn)
		if err == nil || !s.d.isRetryable(err) || time.Now().After(deadline) {
			return err
		}
		// Back off so the transactions that collided do not collide again and a transaction that keeps
		// meeting a busy writer (another replica renewing leases, firing schedules) still gets its turn.
		if werr := backOff(ctx, attempt); werr != nil {
			return errors.Join(werr, err)
		}
	}
}

// backOff waits before try attempt+1 of something that collided with another process: a random time
// under a ceiling that doubles from 1 ms to 100 ms, so the colliders spread out.
func backOff(ctx context.Context, attempt int) error {
	ceiling := min(time.Millisecond<<min(attempt, 7), 100*time.Millisecond)
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(time.Duration(rand.Int64N(int64(ceiling))) + time.Millisecond):
		return nil
	}
}

// View runs fn in a read-only transaction that sees one consistent snapshot.
func (s *sqlStore) View(ctx context.Context, fn func(Tx) error) error {
	return s.run(ctx, s.reader, s.d.viewOptions(), fn)
}

func (s *sqlStore) run(ctx context.Context, db *sql.DB, opts *sql.TxOptions, fn func(Tx) error) error {
	tx, err := db.BeginTx(ctx, opts)
	if err != nil {
		return err
	}
	if err := fn(&sqlTx{s: s, db: db, tx: tx, ctx: ctx}); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// stmtKey names a statement prepared on one pool.
type stmtKey struct {
	db    *sql.DB
	query string
}

// preparing marks a statement whose preparation is under way.
type preparing struct{}

// prepared returns db's prepared statement for query, or nil while there is none yet: the caller then
// runs the query text on its transaction. A miss prepares the statement in the background. Preparing
// on the pool from inside a transaction would wait for a free connection, and with every connection
// held by a transaction doing the same (a clone's workers each reading in a View), nothing would move.
func (s *sqlStore) prepared(db *sql.DB, query string) *sql.Stmt {
	k := stmtKey{db, query}
	if v, ok := s.stmts.Load(k); ok {
		st, _ := v.(*sql.Stmt)
		return st
	}
	s.prepMu.Lock()
	defer s.prepMu.Unlock()
	if s.closed {
		return nil
	}
	if _, loaded := s.stmts.LoadOrStore(k, preparing{}); !loaded {
		s.preparers.Add(1)
		go func() {
			defer s.preparers.Done()
			st, err := db.PrepareContext(context.Background(), query)
			if err != nil { // a closed store, or a query the database refuses: the text runs instead
				s.stmts.Delete(k)
				return
			}
			if !s.stmts.CompareAndSwap(k, preparing{}, st) {
				st.Close() // closeStatements ran meanwhile
			}
		}()
	}
	return nil
}

func (s *sqlStore) closeStatements() {
	s.stmts.Range(func(k, v any) bool {
		if st, ok := v.(*sql.Stmt); ok {
			st.Close()
		}
		s.stmts.Delete(k)
		return true
	})
}

// migrate applies the pending migrations, each in its own transaction, under the dialect's lock so
// replicas starting together apply each one once.
func (s *sqlStore) migrate(ctx context.Context) error {
	conn, err := s.writer.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: connect to migrate: %w", err)
	}
	defer conn.Close()
	unlock, err := s.d.lockMigrations(ctx, conn)
	if err != nil {
		return fmt.Errorf("store: lock migrations: %w", err)
	}
	defer unlock()
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)`); err != nil {
		return fmt.Errorf("store: create schema_migrations: %w", err)
	}
	for i, m := range migrations {
		version := i + 1
		err := func() error {
			tx, err := conn.BeginTx(ctx, nil)
			if err != nil {
				return err
			}
			defer tx.Rollback()
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = `+s.d.placeholder(1), version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := tx.ExecContext(ctx, s.d.ddl(m)); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version) VALUES (`+s.d.placeholder(1)+`)`, version); err != nil {
				return err
			}
			return tx.Commit()
		}()
		if err != nil {
			return fmt.Errorf("store: apply migration %d: %w", version, err)
		}
	}
	return nil
}

// SchemaVersion is the number of migrations this build applies.
var SchemaVersion = len(migrations)

// SchemaVersion counts the migrations recorded as applied, each once.
func (s *sqlStore) SchemaVersion(ctx context.Context) (int, error) {
	var n, distinct int
	err := s.reader.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(DISTINCT version) FROM schema_migrations`).Scan(&n, &distinct)
	if err == nil && n != distinct {
		err = fmt.Errorf("store: schema_migrations records a migration twice (%d rows, %d versions)", n, distinct)
	}
	return n, err
}
