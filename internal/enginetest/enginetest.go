// Package enginetest runs a real flink-engine for tests: the engine and its HTTP server on 127.0.0.1
// with a real SQLite file (or a real PostgreSQL database with FLINK_ENGINE_TEST_DATABASE=postgres), real files for state and the local runtime, in-process (Start) or as a
// separate process that a test can kill (StartProcess).
package enginetest

import (
	"context"
	"errors"
	"flag"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/blob"
	"github.com/streamstate/terraform-provider-flink/internal/engine"
	"github.com/streamstate/terraform-provider-flink/internal/lease"
	"github.com/streamstate/terraform-provider-flink/internal/pgtest"
	"github.com/streamstate/terraform-provider-flink/internal/runtime/flink"
	"github.com/streamstate/terraform-provider-flink/internal/runtime/local"
	"github.com/streamstate/terraform-provider-flink/internal/secretbox"
	"github.com/streamstate/terraform-provider-flink/internal/server"
	"github.com/streamstate/terraform-provider-flink/internal/store"
)

// AdminToken is the admin token of every test engine.
const AdminToken = "test-admin-token"

// Options adjust a test engine.
type Options struct {
	// DataDir reuses a data directory (default: a new t.TempDir()).
	DataDir string
	// Clock replaces the wall clock (scheduler tests).
	Clock func() time.Time
	// Managed replaces the managed storage (default: DataDir/storage on the filesystem).
	Managed blob.Store
	// Configure runs on the engine before it starts (register test hooks).
	Configure func(*engine.Engine)
	// Server sets the HTTP server's limits and metrics (default: server.New's).
	Server server.Options
	// Observer and IdempotencyTTL are passed to engine.Options.
	Observer       engine.Observer
	IdempotencyTTL time.Duration
	// AllowEndpoints is the engine's --allow-endpoint list.
	AllowEndpoints []string
	// Database chooses the metadata store: "sqlite" or "postgres" (pgtest); default: PostgreSQL when
	// FLINK_ENGINE_TEST_DATABASE=postgres, else SQLite. Benchmarks set it to compare the two in one run.
	Database string
	// LeasePeriod, when set, makes the engine a replica: several Envs on one DataDir share its store
	// (and storage) and their background work through leases of this period.
	LeasePeriod time.Duration
}

// Env is a running in-process engine.
type Env struct {
	URL     string
	DataDir string
	// DatabaseURL is the metadata store's store.Open URL: the SQLite file or a pgtest database.
	DatabaseURL string
	Engine      *engine.Engine
	Store       store.Store
	Managed     blob.Store

	opts    Options
	httpSrv *http.Server
	stopped bool
}

// Start runs an engine and its server on a free 127.0.0.1 port until the test ends.
func Start(t testing.TB, opts Options) *Env {
	t.Helper()
	if opts.DataDir == "" {
		opts.DataDir = t.TempDir()
	}
	env := &Env{DataDir: opts.DataDir, opts: opts}
	env.start(t)
	t.Cleanup(func() { env.Stop(t) })
	return env
}

func (env *Env) start(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	managed := env.opts.Managed
	if managed == nil {
		fs, err := blob.NewFS(filepath.Join(env.DataDir, "storage"))
		if err != nil {
			t.Fatal(err)
		}
		managed = fs
	}
	secrets, err := secretbox.LoadOrCreate(filepath.Join(env.DataDir, "secret.key"))
	if err != nil {
		t.Fatal(err)
	}
	env.DatabaseURL = databaseURL(t, env.DataDir, usePostgres(env.opts.Database))
	st, err := store.Open(ctx, env.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	var leases *lease.Manager
	if env.opts.LeasePeriod > 0 {
		leases = lease.New(st, lease.Options{Period: env.opts.LeasePeriod, Logger: log})
	}
	eng, err := engine.New(engine.Options{Store: st, Leases: leases, Managed: managed, Runtime: local.New(local.Options{Logger: log, Clock: env.opts.Clock}),
		Secrets: secrets, AdminToken: AdminToken, Clock: env.opts.Clock, Logger: log,
		Observer: env.opts.Observer, IdempotencyTTL: env.opts.IdempotencyTTL,
		AllowEndpoints: env.opts.AllowEndpoints,
		OpenS3:         func(ctx context.Context, cfg blob.S3Config) (blob.Store, error) { return blob.NewS3(ctx, cfg) },
		OpenFlink:      flink.Opener(log)})
	if err != nil {
		t.Fatal(err)
	}
	if env.opts.Configure != nil {
		env.opts.Configure(eng)
	}
	srv := server.NewWithOptions(eng, log, env.opts.Server)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	env.httpSrv = &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = env.httpSrv.Serve(ln) }()
	if err := eng.Start(ctx); err != nil {
		t.Fatal(err)
	}
	srv.SetReady(true)
	env.URL, env.Engine, env.Store, env.Managed, env.stopped = "http://"+ln.Addr().String(), eng, st, managed, false
}

// Stop shuts the engine down as a SIGTERM would: jobs stay RUNNING in the records.
func (env *Env) Stop(t testing.TB) {
	if env.stopped {
		return
	}
	env.stopped = true
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = env.httpSrv.Shutdown(ctx)
	if err := env.Engine.Close(); err != nil {
		t.Errorf("close engine: %v", err)
	}
	if err := env.Store.Close(); err != nil {
		t.Errorf("close store: %v", err)
	}
}

// Restart stops the engine and starts a new one on the same data directory (and a new port).
func (env *Env) Restart(t testing.TB) {
	t.Helper()
	env.Stop(t)
	env.start(t)
}

// Admin returns an HTTP client authenticated as the admin.
func (env *Env) Admin() *Client { return &Client{env: env, Token: AdminToken} }

// As returns an HTTP client authenticated with token.
func (env *Env) As(token string) *Client { return &Client{env: env, Token: token} }

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p))
	return len(p), nil
}

// Eventually polls cond every 20ms until it holds or timeout passes, then fails with msg.
func Eventually(t testing.TB, timeout time.Duration, msg string, cond func() bool) {
	t.Helper()
	Until(t, timeout, func() string { return msg }, cond)
}

// Until is Eventually with a message built when it fails, so it can show the last value cond saw
// (a message formatted before polling starts always shows the zero value).
func Until(t testing.TB, timeout time.Duration, describe func() string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for: %s", timeout, describe())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var (
	buildOnce sync.Once
	buildDir  string
	buildPath string
	buildErr  error
)

// Main is the TestMain of a package that uses BuildEngine: it runs the tests and removes the built
// binary afterwards, and also shortly before -timeout would end the binary (a timeout panic runs no
// deferred code), so no 24 MB engine is left in the temp directory.
func Main(m *testing.M) {
	flag.Parse()
	if f := flag.Lookup("test.timeout"); f != nil {
		if d, err := time.ParseDuration(f.Value.String()); err == nil && d > 10*time.Second {
			time.AfterFunc(d-5*time.Second, removeBuild)
		}
	}
	code := m.Run()
	removeBuild()
	pgtest.Stop()
	os.Exit(code)
}

func removeBuild() {
	if buildDir != "" {
		_ = os.RemoveAll(buildDir)
	}
}

// BuildEngine compiles cmd/flink-engine once per test binary and returns its path (removed by Main).
func BuildEngine(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "flink-engine-bin")
		if err != nil {
			buildErr = err
			return
		}
		buildDir, buildPath = dir, filepath.Join(dir, "flink-engine")
		buildErr = goBuild(buildPath)
	})
	if buildErr != nil {
		t.Fatalf("build flink-engine: %v", buildErr)
	}
	return buildPath
}

var (
	testBuildOnce sync.Once
	testBuildPath string
	testBuildErr  error
)

// BuildTestEngine is BuildEngine for the test build (-tags testclock), kept beside it and removed with it.
func BuildTestEngine(t testing.TB) string {
	t.Helper()
	BuildEngine(t) // makes the directory both binaries live in
	testBuildOnce.Do(func() {
		testBuildPath = filepath.Join(buildDir, "flink-engine-test")
		testBuildErr = goBuild(testBuildPath, "testclock")
	})
	if testBuildErr != nil {
		t.Fatalf("build flink-engine -tags testclock: %v", testBuildErr)
	}
	return testBuildPath
}

var errNoModule = errors.New("cannot find the module root (go.mod) above the working directory")
