// Command flink-engine is the namespace-clone and state-set service the Terraform provider drives.
//
//	flink-engine serve [--listen 127.0.0.1:8480] [--data-dir ./.flink-engine] [--managed-storage URL]
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
	"github.com/streamstate/terraform-provider-flink/internal/runtime/flink"
	"github.com/streamstate/terraform-provider-flink/internal/runtime/local"
	"github.com/streamstate/terraform-provider-flink/internal/secretbox"
	"github.com/streamstate/terraform-provider-flink/internal/server"
	"github.com/streamstate/terraform-provider-flink/internal/store"
)

// AdminTokenEnv names the environment variable holding the admin token.
const AdminTokenEnv = "FLINK_ENGINE_ADMIN_TOKEN"

func main() {
	if len(os.Args) < 2 || os.Args[1] != "serve" {
		fmt.Fprintln(os.Stderr, "usage: flink-engine serve [--listen 127.0.0.1:8480] [--data-dir ./.flink-engine] [--managed-storage URL] [--log-level info]")
		os.Exit(2)
	}
	if err := serve(os.Args[2:]); err != nil {
		fmt.Fprintln(os.Stderr, "flink-engine:", err)
		os.Exit(1)
	}
}

type config struct {
	listen, dataDir, managed, logLevel string
}

func parseFlags(args []string) (config, error) {
	var c config
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.StringVar(&c.listen, "listen", "127.0.0.1:8480", "address to listen on")
	fs.StringVar(&c.dataDir, "data-dir", "./.flink-engine", "directory for the metadata database, keys and default managed storage")
	fs.StringVar(&c.managed, "managed-storage", "", "managed storage URL: file:///path or s3://bucket/prefix?endpoint=...&region=...&path_style=true (default: DATA_DIR/storage)")
	fs.StringVar(&c.logLevel, "log-level", "info", "debug, info, warn or error")
	return c, fs.Parse(args)
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
	if err := os.MkdirAll(c.dataDir, 0o700); err != nil {
		return fmt.Errorf("--data-dir %s: %w", c.dataDir, err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	admin, err := adminToken(c.dataDir, log)
	if err != nil {
		return err
	}
	secrets, err := secretbox.LoadOrCreate(filepath.Join(c.dataDir, "secret.key"))
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
	st, err := store.OpenSQLite(ctx, filepath.Join(c.dataDir, "engine.db"))
	if err != nil {
		return err
	}
	defer st.Close()
	eng, err := engine.New(engine.Options{Store: st, Managed: managed, Runtime: local.New(local.Options{Logger: log}),
		Secrets: secrets, AdminToken: admin, Logger: log,
		OpenS3:    func(ctx context.Context, cfg blob.S3Config) (blob.Store, error) { return blob.NewS3(ctx, cfg) },
		OpenFlink: flink.Opener(log)})
	if err != nil {
		return err
	}

	srv := server.New(eng, log)
	ln, err := net.Listen("tcp", c.listen)
	if err != nil {
		return fmt.Errorf("--listen %s: %w", c.listen, err)
	}
	httpSrv := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- httpSrv.Serve(ln) }()
	log.Info("flink-engine listening", "addr", ln.Addr().String(), "data_dir", c.dataDir, "managed_storage", managed.Location(""))

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
