// Command flink-engine is the namespace-clone and state-set service the Terraform provider drives.
//
//	flink-engine serve [--listen 127.0.0.1:8480] [--data-dir ./.flink-engine] [--managed-storage URL]
//	                   [--database-url postgres://... [--shared-storage]] [--secret-key-file F]
//	                   [--tls-cert-file F --tls-key-file F] [--metrics-listen ADDR] [limits: see -h]
//	flink-engine backup --to FILE [--data-dir ./.flink-engine]
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/blob"
	"github.com/streamstate/terraform-provider-flink/internal/engine"
	"github.com/streamstate/terraform-provider-flink/internal/lease"
	"github.com/streamstate/terraform-provider-flink/internal/metrics"
	"github.com/streamstate/terraform-provider-flink/internal/runtime/flink"
	"github.com/streamstate/terraform-provider-flink/internal/runtime/local"
	"github.com/streamstate/terraform-provider-flink/internal/server"
	"github.com/streamstate/terraform-provider-flink/internal/store"
)

// AdminTokenEnv names the environment variable holding the admin token.
const AdminTokenEnv = "FLINK_ENGINE_ADMIN_TOKEN"

func main() {
	commands := map[string]func([]string) error{"serve": serve, "backup": backup}
	if len(os.Args) < 2 || commands[os.Args[1]] == nil {
		fmt.Fprintln(os.Stderr, "usage: flink-engine serve [--listen 127.0.0.1:8480] [--data-dir ./.flink-engine] [--managed-storage URL] [--database-url postgres://...] [--allow-endpoint host[:port]]... [--log-level info]")
		fmt.Fprintln(os.Stderr, "       flink-engine backup --to FILE [--data-dir ./.flink-engine]")
		os.Exit(2)
	}
	if err := commands[os.Args[1]](os.Args[2:]); err != nil {
		fmt.Fprintln(os.Stderr, "flink-engine:", err)
		os.Exit(1)
	}
}

type config struct {
	listen, dataDir, managed, logLevel string
	tlsCert, tlsKey, metricsListen     string
	maxBody, maxUpload                 int64
	maxUploads                         int
	idempotencyTTL                     time.Duration
	readHeaderTimeout, readTimeout     time.Duration
	writeTimeout, idleTimeout          time.Duration
	allowEndpoints                     stringList
	leasePeriod                        time.Duration
	database, secretKeyFile            string
	sharedStorage                      bool
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error {
	*l = append(*l, v)
	return engine.ValidateEndpointPattern(v)
}

func parseFlags(args []string) (config, error) {
	var c config
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.StringVar(&c.listen, "listen", "127.0.0.1:8480", "address to listen on")
	fs.StringVar(&c.dataDir, "data-dir", "./.flink-engine", "directory for the metadata database, keys and default managed storage (kept at mode 0700)")
	fs.StringVar(&c.managed, "managed-storage", "", "managed storage URL: file:///path or s3://bucket/prefix?endpoint=...&region=...&path_style=true (default: DATA_DIR/storage)")
	fs.StringVar(&c.database, "database-url", os.Getenv(DatabaseURLEnv), "PostgreSQL URL (postgres://user:password@host:5432/db) of the metadata store that replicas share (default $"+DatabaseURLEnv+"; without it SQLite in --data-dir)")
	fs.StringVar(&c.secretKeyFile, "secret-key-file", "", "32-byte key that seals secrets at rest, the same file on every replica (default DATA_DIR/secret.key, created on first start)")
	fs.BoolVar(&c.sharedStorage, "shared-storage", false, "declare that a file:// --managed-storage is one filesystem shared by every replica (needed with --database-url)")
	fs.StringVar(&c.logLevel, "log-level", "info", "debug, info, warn or error")
	fs.StringVar(&c.tlsCert, "tls-cert-file", "", "PEM certificate (chain) to serve HTTPS; reloaded on SIGHUP")
	fs.StringVar(&c.tlsKey, "tls-key-file", "", "PEM private key of --tls-cert-file; reloaded on SIGHUP")
	fs.StringVar(&c.metricsListen, "metrics-listen", "", "optional address serving GET /metrics without authentication (the API listener serves it to the admin token)")
	fs.Int64Var(&c.maxBody, "max-body-bytes", server.DefaultMaxBody, "largest request body, except file resource uploads")
	fs.Int64Var(&c.maxUpload, "max-upload-bytes", server.DefaultMaxUpload, "largest file resource upload (PUT /api/v1/namespaces/{id}/file-resources/{name})")
	fs.IntVar(&c.maxUploads, "max-concurrent-uploads", server.DefaultMaxConcurrentUploads, "file resource uploads in progress at once; more are answered 503")
	fs.DurationVar(&c.idempotencyTTL, "idempotency-ttl", engine.DefaultIdempotencyTTL, "how long an Idempotency-Key's response is replayed before the record is swept")
	fs.DurationVar(&c.readHeaderTimeout, "read-header-timeout", 10*time.Second, "time allowed to read a request's headers")
	fs.DurationVar(&c.readTimeout, "read-timeout", 5*time.Minute, "time allowed to read a whole request, body included (bounds uploads too); a slower client is disconnected")
	fs.DurationVar(&c.writeTimeout, "write-timeout", 5*time.Minute, "time allowed to handle a request and write its response")
	fs.DurationVar(&c.idleTimeout, "idle-timeout", 2*time.Minute, "how long an idle keep-alive connection stays open")
	fs.Var(&c.allowEndpoints, "allow-endpoint", "host[:port] pattern (path.Match wildcards, e.g. *.aliyuncs.com) that a workspace's storage endpoint, a flink runtime's URLs and an http(s) jar.uri must match; repeatable; none set allows any endpoint the admin configures")
	fs.DurationVar(&c.leasePeriod, "lease-period", lease.DefaultPeriod, "with a shared database (several replicas): how long a replica's lease on a piece of background work (a clone, a running job) lasts unrenewed; a dead replica's work moves to another within about this long")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if err := checkReplicaConfig(c); err != nil {
		return c, err
	}
	if (c.tlsCert == "") != (c.tlsKey == "") {
		return c, errors.New("--tls-cert-file and --tls-key-file go together: set both to serve HTTPS, or neither")
	}
	for name, v := range map[string]int64{"--max-body-bytes": c.maxBody, "--max-upload-bytes": c.maxUpload, "--max-concurrent-uploads": int64(c.maxUploads)} {
		if v <= 0 {
			return c, fmt.Errorf("%s must be positive, not %d", name, v)
		}
	}
	for name, v := range map[string]time.Duration{"--idempotency-ttl": c.idempotencyTTL, "--read-header-timeout": c.readHeaderTimeout,
		"--read-timeout": c.readTimeout, "--write-timeout": c.writeTimeout, "--idle-timeout": c.idleTimeout, "--lease-period": c.leasePeriod} {
		if v <= 0 {
			return c, fmt.Errorf("%s must be a positive duration such as 30s or 5m, not %s", name, v)
		}
	}
	return c, nil
}

func serve(args []string) error {
	c, err := parseFlags(args)
	if err != nil {
		return err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.logLevel)); err != nil {
		return fmt.Errorf("--log-level %q: use debug, info, warn or error", c.logLevel)
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	if err := secureDataDir(c.dataDir); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	admin, err := adminToken(c.dataDir, log)
	if err != nil {
		return err
	}
	secrets, keyPath, err := loadSecretKey(c)
	if err != nil {
		return err
	}
	if c.managed == "" {
		abs, err := filepath.Abs(filepath.Join(c.dataDir, "storage"))
		if err != nil {
			return err
		}
		c.managed = "file://" + abs
	}
	managed, err := blob.Open(ctx, c.managed)
	if err != nil {
		return fmt.Errorf("--managed-storage: %w", err)
	}
	st, err := store.Open(ctx, c.databaseURL())
	if err != nil {
		return err
	}
	defer st.Close()
	if err := checkSecretKey(ctx, st, secrets, keyPath); err != nil {
		return err
	}
	m := metrics.New()
	clock, wrapTestClock := testClock(log) // nil and a no-op unless built with -tags testclock
	eng, err := engine.New(engine.Options{Store: st, Leases: leasesFor(c.database != "", st, c.leasePeriod, log), Managed: managed, Runtime: local.New(local.Options{Logger: log, Clock: clock}),
		Secrets: secrets, AdminToken: admin, Logger: log, Observer: m, IdempotencyTTL: c.idempotencyTTL, Clock: clock,
		AllowEndpoints: c.allowEndpoints,
		OpenS3:         func(ctx context.Context, cfg blob.S3Config) (blob.Store, error) { return blob.NewS3(ctx, cfg) },
		OpenFlink:      flink.Opener(log)})
	if err != nil {
		return err
	}
	m.ReadStatsFrom(eng.Stats)

	srv := server.NewWithOptions(eng, log, server.Options{MaxBody: c.maxBody, MaxUpload: c.maxUpload,
		MaxConcurrentUploads: c.maxUploads, Metrics: m})
	ln, err := net.Listen("tcp", c.listen)
	if err != nil {
		return fmt.Errorf("--listen %s: %w", c.listen, err)
	}
	httpSrv := &http.Server{Handler: wrapTestClock(srv, eng, admin), ReadHeaderTimeout: c.readHeaderTimeout, ReadTimeout: c.readTimeout,
		WriteTimeout: c.writeTimeout, IdleTimeout: c.idleTimeout, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	scheme := "http"
	if c.tlsCert != "" {
		certs, err := newCertReloader(c.tlsCert, c.tlsKey, log)
		if err != nil {
			return err
		}
		certs.watchSIGHUP(ctx.Done())
		httpSrv.TLSConfig = certs.config()
		scheme = "https"
	} else if !isLoopback(ln.Addr()) {
		log.Warn("serving plain HTTP on a non-loopback address: bearer tokens cross the network in clear; "+
			"set --tls-cert-file and --tls-key-file, or listen on 127.0.0.1 behind a TLS proxy", "addr", ln.Addr().String())
	}
	errc := make(chan error, 2)
	go func() {
		if scheme == "https" {
			errc <- httpSrv.ServeTLS(ln, "", "") // the certificate comes from TLSConfig.GetCertificate
			return
		}
		errc <- httpSrv.Serve(ln)
	}()
	log.Info("flink-engine listening", "addr", ln.Addr().String(), "scheme", scheme, "data_dir", c.dataDir, "managed_storage", managed.Location(""))
	if c.metricsListen != "" {
		metricsSrv, err := serveMetrics(c.metricsListen, m, log, errc)
		if err != nil {
			return err
		}
		defer metricsSrv.Close()
	}

	if err := eng.Start(ctx); err != nil {
		return err
	}
	srv.SetReady(true)

	select {
	case <-ctx.Done():
		log.Info("shutting down")
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	}
	srv.SetReady(false)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	_ = httpSrv.Shutdown(shutdownCtx)
	return eng.Close()
}

// adminToken takes the token from the environment, or from DATA_DIR/admin-token, generating that file
// (mode 0600) on first start.
func adminToken(dataDir string, log *slog.Logger) (string, error) {
	if t := strings.TrimSpace(os.Getenv(AdminTokenEnv)); t != "" {
		return t, nil
	}
	path := filepath.Join(dataDir, "admin-token")
	if b, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(b))) > 0 {
		log.Info("admin token read from file", "path", path)
		return strings.TrimSpace(string(b)), nil
	}
	raw := make([]byte, 24)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	token := "feadm_" + hex.EncodeToString(raw)
	if err := os.WriteFile(path, []byte(token+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("write admin token %s: %w", path, err)
	}
	log.Info("generated an admin token (set "+AdminTokenEnv+" to choose one)", "path", path)
	return token, nil
}

// isLoopback reports whether addr is a loopback address (127.0.0.0/8 or ::1).
func isLoopback(addr net.Addr) bool {
	tcp, ok := addr.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

// serveMetrics serves GET /metrics without authentication on its own listener (--metrics-listen), for a
// Prometheus that holds no engine token; bind it where only the scraper reaches.
func serveMetrics(addr string, m *metrics.Metrics, log *slog.Logger, errc chan<- error) (*http.Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--metrics-listen %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute, WriteTimeout: time.Minute}
	go func() {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			errc <- err
		}
	}()
	log.Info("metrics listening without authentication", "addr", ln.Addr().String())
	return srv, nil
}
