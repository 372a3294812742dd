package runtime

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/blob"
)

// StateFormat names the layout of MetadataFile; ReadMetadata refuses any other.
const StateFormat = "flink-engine-state/1"

// Kinds of state directory.
const (
	KindCheckpoint = "checkpoint"
	KindSavepoint  = "savepoint"
)

// SharedDir is the directory under a checkpoint prefix that holds files incremental checkpoints share.
const SharedDir = "shared"

// maxMetadataBytes bounds how much of a MetadataFile is read, so a wrong prefix cannot exhaust memory.
const maxMetadataBytes = 64 << 20

// Metadata is the content of a checkpoint's or savepoint's MetadataFile.
type Metadata struct {
	Format       string `json:"format"`
	Kind         string `json:"kind"` // KindCheckpoint or KindSavepoint
	JobID        string `json:"job_id"`
	DeploymentID string `json:"deployment_id"`
	// Offset is the source position the state was taken at; a job restored from it continues there.
	Offset      int64  `json:"offset"`
	Fingerprint string `json:"state_fingerprint"`
	// Incremental is true for a checkpoint whose files include Shared ones (not self-contained).
	Incremental bool `json:"incremental"`
	// SavepointFormat is CANONICAL or NATIVE for savepoints (the bytes are laid out the same way).
	SavepointFormat string `json:"savepoint_format,omitempty"`
	// Seq is a checkpoint's sequence number (0 for savepoints).
	Seq       int64     `json:"seq,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	// CopiedFrom is the location of the state a CopyState result was copied from.
	CopiedFrom string      `json:"copied_from,omitempty"`
	Files      []StateFile `json:"files"`
}

// StateFile is one data file a state directory needs.
type StateFile struct {
	// Key is relative to the state directory, or to the store's root when Shared is true.
	Key    string `json:"key"`
	Shared bool   `json:"shared,omitempty"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
	// Chunk and Version identify the piece of keyed state the file holds and how many times it changed.
	Chunk   int   `json:"chunk"`
	Version int64 `json:"version"`
}

// SizeBytes is the number of data bytes the state references, shared files included.
func (m Metadata) SizeBytes() int64 {
	var n int64
	for _, f := range m.Files {
		n += f.Size
	}
	return n
}

// ResolveKey returns the store key of f for a state directory at prefix.
func ResolveKey(prefix string, f StateFile) string {
	if f.Shared {
		return f.Key
	}
	return JoinKey(prefix, f.Key)
}

// JoinKey joins a prefix and a relative key with one slash; an empty prefix is the store root.
func JoinKey(prefix, name string) string {
	prefix = strings.TrimSuffix(prefix, "/")
	if prefix == "" {
		return name
	}
	return prefix + "/" + name
}

// WriteMetadata writes m as prefix/_metadata. Write it after every data file: a directory without
// MetadataFile is a partial one.
func WriteMetadata(ctx context.Context, store blob.Store, prefix string, m Metadata) (blob.Info, error) {
	if m.Format == "" {
		m.Format = StateFormat
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return blob.Info{}, fmt.Errorf("encode state metadata: %w", err)
	}
	info, err := store.Put(ctx, JoinKey(prefix, MetadataFile), bytes.NewReader(b))
	if err != nil {
		return blob.Info{}, fmt.Errorf("write %s: %w", store.Location(JoinKey(prefix, MetadataFile)), err)
	}
	return info, nil
}

// ReadMetadata reads and checks the MetadataFile of the state directory at prefix. A missing, unreadable or
// malformed one is ErrCorruptState (wrapping blob.ErrNotFound when it is missing).
func ReadMetadata(ctx context.Context, store blob.Store, prefix string) (Metadata, error) {
	key := JoinKey(prefix, MetadataFile)
	loc := store.Location(key)
	rc, _, err := store.Get(ctx, key)
	if err != nil {
		return Metadata{}, fmt.Errorf("%w: read %s: %w", ErrCorruptState, loc, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, maxMetadataBytes+1))
	if err != nil {
		return Metadata{}, fmt.Errorf("%w: read %s: %w", ErrCorruptState, loc, err)
	}
	if len(b) > maxMetadataBytes {
		return Metadata{}, fmt.Errorf("%w: %s is larger than %d bytes", ErrCorruptState, loc, maxMetadataBytes)
	}
	var m Metadata
	if err := json.Unmarshal(b, &m); err != nil {
		return Metadata{}, fmt.Errorf("%w: %s is not valid state metadata: %v", ErrCorruptState, loc, err)
	}
	if m.Format != StateFormat {
		return Metadata{}, fmt.Errorf("%w: %s has format %q; this engine reads %q", ErrCorruptState, loc, m.Format, StateFormat)
	}
	if m.Kind != KindCheckpoint && m.Kind != KindSavepoint {
		return Metadata{}, fmt.Errorf("%w: %s has kind %q; want %q or %q", ErrCorruptState, loc, m.Kind, KindCheckpoint, KindSavepoint)
	}
	for _, f := range m.Files {
		if !validKey(f.Key) {
			return Metadata{}, fmt.Errorf("%w: %s lists file key %q, which is not a clean relative path", ErrCorruptState, loc, f.Key)
		}
		if f.Shared && m.Kind == KindSavepoint {
			return Metadata{}, fmt.Errorf("%w: savepoint %s references shared file %q; a savepoint must be self-contained", ErrCorruptState, loc, f.Key)
		}
		if f.Size < 0 || len(f.SHA256) != sha256.Size*2 {
			return Metadata{}, fmt.Errorf("%w: %s lists file %q without a valid size and sha256", ErrCorruptState, loc, f.Key)
		}
	}
	return m, nil
}

func validKey(k string) bool {
	return k != "" && !strings.HasPrefix(k, "/") && path.Clean(k) == k && k != ".." &&
		!strings.HasPrefix(k, "../") && k != MetadataFile
}

// VerifyState reads the state directory at prefix and every file it references, checking each file's size
// and sha256 against the metadata. Any difference or missing file is ErrCorruptState naming the file.
func VerifyState(ctx context.Context, store blob.Store, prefix string) (Metadata, error) {
	m, err := ReadMetadata(ctx, store, prefix)
	if err != nil {
		return Metadata{}, err
	}
	err = ForEachParallel(ctx, len(m.Files), 2, func(ctx context.Context, i int) error {
		return verifyFile(ctx, store, ResolveKey(prefix, m.Files[i]), m.Files[i])
	})
	if err != nil {
		return Metadata{}, err
	}
	return m, nil
}

func verifyFile(ctx context.Context, store blob.Store, key string, f StateFile) error {
	loc := store.Location(key)
	rc, info, err := store.Get(ctx, key)
	if err != nil {
		return fmt.Errorf("%w: state file %s: %w", ErrCorruptState, loc, err)
	}
	defer rc.Close()
	// The store's reader already checks the bytes against the sha256 recorded at write time: when that
	// is the metadata's, reading to EOF proves them; hashing them a second time here would double the cost.
	var h hash.Hash = sha256.New()
	sink := io.Writer(h)
	if info.SHA256 == f.SHA256 {
		h, sink = nil, io.Discard
	}
	n, err := io.Copy(sink, rc)
	if err != nil {
		return fmt.Errorf("%w: state file %s: %w", ErrCorruptState, loc, err)
	}
	if n != f.Size {
		return fmt.Errorf("%w: state file %s has %d bytes; the metadata says %d", ErrCorruptState, loc, n, f.Size)
	}
	if h == nil {
		return nil
	}
	if sum := hex.EncodeToString(h.Sum(nil)); sum != f.SHA256 {
		return fmt.Errorf("%w: state file %s has sha256 %s; the metadata says %s", ErrCorruptState, loc, sum, f.SHA256)
	}
	return nil
}

// ForEachParallel runs fn(0..n-1) on at most parallel goroutines and returns the first error; after an
// error, items not yet started are skipped.
func ForEachParallel(ctx context.Context, n, parallel int, fn func(ctx context.Context, i int) error) error {
	if parallel < 1 {
		parallel = 1
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu       sync.Mutex
		firstErr error
		next     int
		wg       sync.WaitGroup
	)
	for w := 0; w < min(parallel, n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				if firstErr != nil || next >= n {
					mu.Unlock()
					return
				}
				i := next
				next++
				mu.Unlock()
				if err := ctx.Err(); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					return
				}
				if err := fn(ctx, i); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
						cancel()
					}
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	return firstErr
}
