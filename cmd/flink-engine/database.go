package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/streamstate/terraform-provider-flink/internal/secretbox"
	"github.com/streamstate/terraform-provider-flink/internal/store"
)

// DatabaseURLEnv names the environment variable that --database-url defaults to.
const DatabaseURLEnv = "FLINK_ENGINE_DATABASE_URL"

// databaseURL is the store to open: --database-url (PostgreSQL, shared by replicas) or the SQLite file
// in the data directory.
func (c config) databaseURL() string {
	if c.database != "" {
		return c.database
	}
	return filepath.Join(c.dataDir, "engine.db")
}

// checkReplicaConfig refuses a PostgreSQL configuration whose replicas would not share what they must:
// managed storage (a snapshot one replica writes, another restores) and the admin token.
func checkReplicaConfig(c config) error {
	if c.database == "" {
		if c.sharedStorage {
			return errors.New("--shared-storage declares --managed-storage shared between replicas, which only --database-url has")
		}
		return nil
	}
	if !strings.HasPrefix(c.database, "postgres://") && !strings.HasPrefix(c.database, "postgresql://") {
		return errors.New("--database-url must be a postgres:// URL (without it the engine keeps SQLite in --data-dir)")
	}
	switch {
	case strings.HasPrefix(c.managed, "s3://"):
	case strings.HasPrefix(c.managed, "file://") && c.sharedStorage:
	case strings.HasPrefix(c.managed, "file://"):
		return fmt.Errorf("--managed-storage %s: with --database-url every replica must reach the same managed storage; "+
			"use s3://..., or add --shared-storage to declare that this path is one shared filesystem (NFS, a shared volume) on every replica", c.managed)
	default:
		return errors.New("--database-url needs --managed-storage that every replica shares: s3://bucket/prefix, or file:///path with --shared-storage " +
			"(the default DATA_DIR/storage is one machine's directory)")
	}
	if strings.TrimSpace(os.Getenv(AdminTokenEnv)) == "" {
		return errors.New("--database-url needs " + AdminTokenEnv + ", the same on every replica (a token generated into one replica's --data-dir would differ on the others)")
	}
	return nil
}

// loadSecretKey reads --secret-key-file, which must exist (every replica needs the same key, so none may
// make its own), or DATA_DIR/secret.key, created on first start.
func loadSecretKey(c config) (*secretbox.Box, string, error) {
	if c.secretKeyFile == "" {
		path := filepath.Join(c.dataDir, "secret.key")
		box, err := secretbox.LoadOrCreate(path)
		return box, path, err
	}
	key, err := os.ReadFile(c.secretKeyFile)
	if err != nil {
		return nil, "", fmt.Errorf("--secret-key-file: %w; create it once (head -c 32 /dev/urandom > FILE, mode 0600) and give every replica the same file", err)
	}
	if len(key) != 32 {
		return nil, "", fmt.Errorf("--secret-key-file %s has %d bytes, want 32 (head -c 32 /dev/urandom > FILE)", c.secretKeyFile, len(key))
	}
	box, err := secretbox.New(key)
	return box, c.secretKeyFile, err
}

// keyCheck is the record that proves the secret key: a known text sealed under the key the store was
// first used with.
const keyCheck = "secret-key-check"

const keyCheckText = "flink-engine secret key check"

type keyCheckRecord struct {
	Sealed string `json:"sealed"`
}

// checkSecretKey makes sure secrets opens what the store holds sealed: on first start it records a value
// sealed under the key; later, and on every other replica, a key that cannot open it is refused, before
// the engine hands out garbage for every stored secret.
func checkSecretKey(ctx context.Context, st store.Store, secrets *secretbox.Box, keyPath string) error {
	sealed, err := secrets.Seal(keyCheckText)
	if err != nil {
		return err
	}
	return st.Update(ctx, func(tx store.Tx) error {
		err := tx.Insert(store.Meta, keyCheck, nil, keyCheckRecord{Sealed: sealed})
		if !errors.Is(err, store.ErrConflict) {
			return err // nil: this key is now the store's key
		}
		var rec keyCheckRecord
		if err := tx.Get(store.Meta, keyCheck, &rec); err != nil {
			return err
		}
		if text, err := secrets.Open(rec.Sealed); err != nil || text != keyCheckText {
			return fmt.Errorf("the secret key %s cannot open the values sealed in the metadata store: it is not the key the store "+
				"was first used with; give this engine (every replica) that key with --secret-key-file", keyPath)
		}
		return nil
	})
}
