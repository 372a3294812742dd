package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// FileMode is the mode of every metadata file: the database holds token hashes, sealed secrets and
// everyone's configuration, so only the engine's user may read it.
const FileMode fs.FileMode = 0o600

// secureDBFiles creates the database file with FileMode when it does not exist (SQLite then gives its
// -wal and -shm files the same mode) and brings an existing database, -wal and -shm back to FileMode:
// a data directory copied or created by an older version keeps no readable metadata.
func secureDBFiles(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, FileMode)
	if err != nil {
		return fmt.Errorf("open metadata store %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	for _, p := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
		if err := os.Chmod(p, FileMode); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("set mode %o on %s: %w", FileMode, p, err)
		}
	}
	return nil
}
