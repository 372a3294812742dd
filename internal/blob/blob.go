// Package blob stores state bytes (checkpoints, snapshots, file resources, clone copies). Keys are
// slash-separated paths relative to the store's root. Objects are immutable once written: a key is
// written once, read many times, and deleted.
package blob

import (
	"context"
	"errors"
	"io"
	"time"
)

// ErrNotFound is returned (wrapped) when a key does not exist.
var ErrNotFound = errors.New("blob: not found")

// ErrChecksum is returned (wrapped) by a reader whose bytes do not match the sha256 recorded at write time.
var ErrChecksum = errors.New("blob: checksum mismatch")

// Info describes one stored object.
type Info struct {
	Key     string
	Size    int64
	SHA256  string // lowercase hex, recorded at write time
	ModTime time.Time
}

// Store is one place that holds blobs: a directory, or a bucket and prefix.
type Store interface {
	// Put streams r into key, records its size and sha256, and returns them. A crash never leaves a
	// partial object under key.
	Put(ctx context.Context, key string, r io.Reader) (Info, error)
	// Get opens key. The reader fails with ErrChecksum at EOF when the bytes differ from the recorded sha256.
	Get(ctx context.Context, key string) (io.ReadCloser, Info, error)
	Stat(ctx context.Context, key string) (Info, error)
	// List calls fn for every key under prefix in lexical order; listing is paged internally. "Under"
	// is a plain string prefix ("chk-1" also matches "chk-10/..."; end it with "/" for one directory).
	// Info.SHA256 may be empty here when the store cannot get it without a request per key (S3): use Stat.
	List(ctx context.Context, prefix string, fn func(Info) error) error
	// Delete removes key; deleting a missing key is not an error.
	Delete(ctx context.Context, key string) error
	// DeletePrefix removes every key under prefix.
	DeletePrefix(ctx context.Context, prefix string) error
	// Location renders key as a URL a person can read (file:///..., s3://bucket/prefix/key).
	Location(key string) string
}

// Copier is implemented by stores that copy without streaming bytes through the engine (hard links or
// copy_file_range on one filesystem, server-side CopyObject on one S3 endpoint). CopyFrom returns
// ErrNotSupported when src is not a store it can copy from that way.
type Copier interface {
	CopyFrom(ctx context.Context, src Store, srcKey, dstKey string) (Info, error)
}

// ErrNotSupported tells Copy to fall back to a streamed copy.
var ErrNotSupported = errors.New("blob: copy not supported between these stores")

// Copy copies srcKey in src to dstKey in dst, server-side where dst can, streamed otherwise; the sha256
// of the copy is verified against the source's.
func Copy(ctx context.Context, src Store, srcKey string, dst Store, dstKey string) (Info, error) {
	if copier, ok := dst.(Copier); ok {
		info, err := copier.CopyFrom(ctx, src, srcKey, dstKey)
		if err == nil {
			return info, checkSameChecksum(ctx, src, srcKey, dst, info)
		}
		if !errors.Is(err, ErrNotSupported) {
			return Info{}, err
		}
	}
	return streamCopy(ctx, src, srcKey, dst, dstKey)
}

// LinkChecker is implemented by stores whose copies can share the source's bytes (a hard link on one
// filesystem). LinkedUnchanged reports whether dstKey in the store and srcKey in src are one object
// whose bytes nothing has written since their sha256 was recorded: those bytes were hashed when they
// were written, so such a copy needs no read-back. A link cannot tell whether the shared bytes were
// overwritten in place afterwards (objects are immutable, but a disk is not), so that is what it checks.
type LinkChecker interface {
	LinkedUnchanged(src Store, srcKey, dstKey string) bool
}

// LinkedUnchanged asks dst whether dstKey is a copy of srcKey in src that provably holds the bytes hashed
// at write time (false when dst cannot tell, which is the safe answer: the caller then reads it back).
func LinkedUnchanged(src Store, srcKey string, dst Store, dstKey string) bool {
	c, ok := dst.(LinkChecker)
	return ok && c.LinkedUnchanged(src, srcKey, dstKey)
}
