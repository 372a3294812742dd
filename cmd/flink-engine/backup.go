package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/streamstate/terraform-provider-flink/internal/store"
)

// backup writes a consistent copy of the SQLite store to --to while the engine may be running.
func backup(args []string) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	dataDir := fs.String("data-dir", "./.flink-engine", "the engine's data directory (holding engine.db)")
	to := fs.String("to", "", "file to write the backup to; must not exist")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *to == "" {
		return errors.New("backup needs --to FILE")
	}
	if os.Getenv(DatabaseURLEnv) != "" {
		return errors.New(DatabaseURLEnv + " is set: the engine keeps its metadata in PostgreSQL; back that up with pg_dump (see the README), not with flink-engine backup")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := store.BackupSQLite(ctx, filepath.Join(*dataDir, "engine.db"), *to); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "flink-engine: backed up %s to %s\n", filepath.Join(*dataDir, "engine.db"), *to)
	return nil
}
