package local

import (
	"context"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"io"
	"sync"

	"github.com/streamstate/terraform-provider-flink/internal/blob"
	"github.com/streamstate/terraform-provider-flink/internal/runtime"
)

// patternBytes is the size of the pseudo-random block a chunk's content repeats. Each repetition is
// stamped with its index, so no two blocks of a chunk are equal, while producing the bytes costs a memcpy.
const patternBytes = 64 << 10

// writeParallel is how many chunk files are written at once: Put hashes what it writes and fsyncs each
// file, so while some writers wait on the disk others keep the cores hashing.
const writeParallel = 4

var patternPool = sync.Pool{New: func() any { b := make([]byte, patternBytes); return &b }}

// chunkSeed derives the content seed of one version of one chunk of a job's keyed state.
func chunkSeed(jobID string, chunk int, version int64) uint64 {
	h := fnv.New64a()
	_, _ = io.WriteString(h, jobID)
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], uint64(chunk))
	binary.LittleEndian.PutUint64(b[8:], uint64(version))
	_, _ = h.Write(b[:])
	return h.Sum64()
}

// chunkReader produces size deterministic bytes for a seed.
type chunkReader struct {
	pattern *[]byte
	size    int64
	pos     int64
}

func newChunkReader(seed uint64, size int64) *chunkReader {
	p := patternPool.Get().(*[]byte)
	// xorshift64*: fast, and plenty for bytes nobody reads for meaning.
	x := seed | 1
	buf := *p
	for i := 0; i+8 <= len(buf); i += 8 {
		x ^= x >> 12
		x ^= x << 25
		x ^= x >> 27
		binary.LittleEndian.PutUint64(buf[i:], x*2685821657736338717)
	}
	return &chunkReader{pattern: p, size: size}
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if r.pos >= r.size {
		return 0, io.EOF
	}
	if rem := r.size - r.pos; int64(len(p)) > rem {
		p = p[:rem]
	}
	n := 0
	pat := *r.pattern
	for n < len(p) {
		off := int((r.pos + int64(n)) % patternBytes)
		block := (r.pos + int64(n)) / patternBytes
		if off < 8 {
			// The first 8 bytes of each block carry its index.
			var stamp [8]byte
			binary.LittleEndian.PutUint64(stamp[:], uint64(block)^binary.LittleEndian.Uint64(pat))
			n += copy(p[n:], stamp[off:])
			continue
		}
		n += copy(p[n:], pat[off:])
	}
	r.pos += int64(n)
	return n, nil
}

func (r *chunkReader) release() {
	if r.pattern != nil {
		patternPool.Put(r.pattern)
		r.pattern = nil
	}
}

// chunk is one piece of a job's keyed state as it stands now.
type chunk struct {
	Index   int
	Version int64
	Size    int64
	// SharedKey and SHA256 are set once an incremental checkpoint has written this version to shared/.
	SharedKey string
	SHA256    string
}

// writeChunks streams each chunk's content to store at keyOf(chunk), in parallel, and returns the state
// files in chunk order, with keys as rel(chunk) says. On error, the files written are deleted.
func writeChunks(ctx context.Context, store blob.Store, jobID string, chunks []chunk, keyOf func(chunk) string, shared bool, rel func(chunk) string) ([]runtime.StateFile, error) {
	files := make([]runtime.StateFile, len(chunks))
	written := make([]bool, len(chunks))
	err := runtime.ForEachParallel(ctx, len(chunks), writeParallel, func(ctx context.Context, i int) error {
		c := chunks[i]
		r := newChunkReader(chunkSeed(jobID, c.Index, c.Version), c.Size)
		defer r.release()
		key := keyOf(c)
		info, err := store.Put(ctx, key, r)
		if err != nil {
			return fmt.Errorf("write state file %s: %w", store.Location(key), err)
		}
		written[i] = true
		files[i] = runtime.StateFile{Key: rel(c), Shared: shared, Size: info.Size, SHA256: info.SHA256, Chunk: c.Index, Version: c.Version}
		return nil
	})
	if err != nil {
		for i, ok := range written {
			if ok {
				_ = store.Delete(context.WithoutCancel(ctx), keyOf(chunks[i]))
			}
		}
		return nil, err
	}
	return files, nil
}

// chunkFileName names a chunk file inside a state directory.
func chunkFileName(c chunk) string { return fmt.Sprintf("chunk-%05d", c.Index) }

// sharedFileName names a chunk version in shared/: unique per job, chunk and version, so a file never
// changes once an incremental checkpoint references it.
func sharedFileName(jobID string, c chunk) string {
	return fmt.Sprintf("%s-chunk-%05d-v%d", jobID, c.Index, c.Version)
}
