package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/streamstate/terraform-provider-flink/internal/store"
)

// dataDirMode is the data directory's mode: it holds the encryption key, the admin token and the
// metadata, so only the engine's user may list or enter it.
const dataDirMode fs.FileMode = 0o700

// secureDataDir creates the data directory 0700, or brings an existing one back to 0700, and makes the
// key and token files in it 0600 (the database files are handled by the store when it opens them).
func secureDataDir(dir string) error {
	if err := os.MkdirAll(dir, dataDirMode); err != nil {
		return fmt.Errorf("--data-dir %s: %w", dir, err)
	}
	if err := os.Chmod(dir, dataDirMode); err != nil {
		return fmt.Errorf("--data-dir %s: set mode %o: %w", dir, dataDirMode, err)
	}
	for _, name := range []string{"secret.key", "admin-token"} {
		p := filepath.Join(dir, name)
		if err := os.Chmod(p, store.FileMode); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("set mode %o on %s: %w", store.FileMode, p, err)
		}
	}
	return nil
}
