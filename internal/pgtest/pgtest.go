// Package pgtest runs a real PostgreSQL for a test package: initdb into a temporary directory, one
// server on a free 127.0.0.1 port for the whole test binary (started on first use), and a fresh database
// per test. No system service is assumed; the server dies with the test binary (Pdeathsig).
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
//	url := pgtest.NewDatabase(t) // postgres://postgres@127.0.0.1:PORT/test_N?sslmode=disable
package pgtest

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

var (
	startOnce sync.Once
	server    *Server
	startErr  error
	databases atomic.Int64
)

// Main is a TestMain body: it runs the tests and then stops the server if a test started one.
func Main(m *testing.M) {
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-signals
		Stop()
		os.Exit(2)
	}()
	code := m.Run()
	signal.Stop(signals)
	Stop()
	os.Exit(code)
}

// Stop stops the package's server and removes its directory (a no-op when none was started). A TestMain
// that is not Main calls it after m.Run.
func Stop() {
	if server != nil {
		server.Stop()
	}
}

// Shared returns the test binary's server, starting it on first use.
func Shared() (*Server, error) {
	startOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		server, startErr = Start(ctx)
	})
	return server, startErr
}

// EnvTestDatabase switches the shared engine test helpers (internal/enginetest, internal/acctest) from
// SQLite to PostgreSQL: FLINK_ENGINE_TEST_DATABASE=postgres.
const EnvTestDatabase = "FLINK_ENGINE_TEST_DATABASE"

// Enabled reports whether EnvTestDatabase asks for PostgreSQL.
func Enabled() bool { return os.Getenv(EnvTestDatabase) == "postgres" }

// NewDatabase creates an empty database on the shared server, dropped when the test ends, and returns
// its URL.
func NewDatabase(t testing.TB) string {
	t.Helper()
	url, drop, err := CreateDatabase(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := drop(); err != nil {
			t.Error(err)
		}
	})
	return url
}

// CreateDatabase is NewDatabase outside a test: it returns the URL and a function that drops the database.
func CreateDatabase(ctx context.Context) (url string, drop func() error, err error) {
	s, err := Shared()
	if err != nil {
		return "", nil, fmt.Errorf("pgtest: %w", err)
	}
	name := fmt.Sprintf("test_%d", databases.Add(1))
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := s.exec(ctx, `CREATE DATABASE `+name); err != nil {
		return "", nil, fmt.Errorf("pgtest: create database %s: %w", name, err)
	}
	drop = func() error {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := s.exec(ctx, `DROP DATABASE `+name+` WITH (FORCE)`); err != nil {
			return fmt.Errorf("pgtest: drop database %s: %w", name, err)
		}
		return nil
	}
	return s.URL(name), drop, nil
}

// exec runs one statement as the superuser in the postgres database.
func (s *Server) exec(ctx context.Context, stmt string) error {
	conn, err := pgx.Connect(ctx, s.URL("postgres"))
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, stmt)
	return err
}
