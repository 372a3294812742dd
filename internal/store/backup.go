package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// BackupSQLite writes a consistent copy of the SQLite database at path to the new file to (mode
// FileMode: it holds what the database holds). It is online: VACUUM INTO reads one snapshot of the WAL
// database, so an engine may keep writing meanwhile, and the copy is a compact database that opens on
// its own (no -wal file needed).
func BackupSQLite(ctx context.Context, path, to string) error {
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("backup: no metadata store at %s: %w", path, err)
	}
	// VACUUM INTO needs a new or empty file; creating it first fixes its mode and refuses to overwrite.
	f, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, FileMode)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("backup: %s exists; choose a new file (a backup never overwrites)", to)
	}
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	f.Close()
	db, err := sql.Open("sqlite", sqliteDSN(path, "deferred"))
	if err != nil {
		os.Remove(to)
		return err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, to); err != nil {
		os.Remove(to)
		return fmt.Errorf("backup %s to %s: %w", path, to, err)
	}
	return nil
}
