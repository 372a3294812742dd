package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// OpenPostgres opens the store in the PostgreSQL database that url names (postgres://user@host/db?...)
// and applies pending migrations, once across replicas starting together.
func OpenPostgres(ctx context.Context, url string) (Store, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		// pgx's message can quote the URL, password included: say what is wrong without it.
		return nil, errors.New("store: the PostgreSQL URL does not parse; write postgres://user:password@host:5432/database?sslmode=...")
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(16)
	db.SetMaxIdleConns(16)
	db.SetConnMaxIdleTime(5 * time.Minute)
	where := fmt.Sprintf("PostgreSQL %s:%d/%s", cfg.Host, cfg.Port, cfg.Database)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open metadata store %s: %w", where, err)
	}
	s := &sqlStore{d: postgresDialect{}, writer: db, reader: db, close: db.Close}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open metadata store %s: %w", where, err)
	}
	return s, nil
}

type postgresDialect struct{}

func (postgresDialect) placeholder(n int) string     { return "$" + strconv.Itoa(n) }
func (postgresDialect) offsetOnly(offset int) string { return fmt.Sprintf(" OFFSET %d", offset) }
func (postgresDialect) cacheStatements() bool        { return false } // pgx prepares and caches per connection
func (postgresDialect) updateOptions() *sql.TxOptions {
	return &sql.TxOptions{Isolation: sql.LevelSerializable}
}
func (postgresDialect) viewOptions() *sql.TxOptions {
	return &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
}

// key escapes what PostgreSQL's text refuses: NUL becomes \x01\x01 and \x01 itself \x01\x02 (so
// the order of bytes is kept: \x00 < \x01 < anything else), and each byte of invalid UTF-8 becomes
// \x01\x03 and two hex digits (such values are found, not sorted). The engine's idempotency ids join
// user and key with a NUL.
func (postgresDialect) key(s string) string {
	if utf8.ValidString(s) && !strings.ContainsAny(s, "\x00\x01") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case s[i] == 0:
			b.WriteString("\x01\x01")
		case s[i] == 1:
			b.WriteString("\x01\x02")
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, "\x01\x03%02x", s[i])
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func (postgresDialect) isConflict(err error) bool { return sqlState(err) == "23505" }

// isRetryable: serialization_failure and deadlock_detected; SERIALIZABLE transactions are expected to
// meet them under contention and succeed when run again.
func (postgresDialect) isRetryable(err error) bool {
	code := sqlState(err)
	return code == "40001" || code == "40P01"
}

func sqlState(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}

// clock_timestamp, not now(): now() is the transaction's start, which a retried or long transaction
// would see stale.
func (postgresDialect) now(ctx context.Context, tx *sql.Tx) (time.Time, error) {
	var now time.Time
	err := tx.QueryRowContext(ctx, `SELECT clock_timestamp()`).Scan(&now)
	return now, err
}

var (
	textType    = regexp.MustCompile(`\bTEXT\b`)
	integerType = regexp.MustCompile(`\bINTEGER\b`)
)

// ddl adapts a migration: TEXT columns compare and sort bytewise (COLLATE "C"), as in SQLite, whatever
// the database's locale; INTEGER is 64-bit like SQLite's.
func (postgresDialect) ddl(migration string) string {
	return integerType.ReplaceAllString(textType.ReplaceAllString(migration, `TEXT COLLATE "C"`), "BIGINT")
}

// migrationLock is the pg_advisory_lock key of schema migrations (any constant the engine alone uses).
const migrationLock = 0x666c696e6b // "flink"

func (postgresDialect) lockMigrations(ctx context.Context, conn *sql.Conn) (func(), error) {
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, migrationLock); err != nil {
		return nil, err
	}
	return func() {
		_, _ = conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock($1)`, migrationLock)
	}, nil
}
