package blob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
)

// verifyingReader hashes what it hands out and, at EOF, turns a mismatch with the recorded sha256
// into ErrChecksum, so a caller that reads to the end never mistakes corrupted bytes for good ones.
type verifyingReader struct {
	body     io.ReadCloser
	hash     hash.Hash
	want     string // empty: nothing recorded, nothing to verify
	location string
	err      error // sticky: once a mismatch is seen, every later Read reports it
}

func newVerifyingReader(body io.ReadCloser, wantSHA256, location string) io.ReadCloser {
	return &verifyingReader{body: body, hash: sha256.New(), want: wantSHA256, location: location}
}

func (v *verifyingReader) Read(p []byte) (int, error) {
	if v.err != nil {
		return 0, v.err
	}
	n, err := v.body.Read(p)
	v.hash.Write(p[:n])
	if err == io.EOF && v.want != "" {
		if got := hex.EncodeToString(v.hash.Sum(nil)); got != v.want {
			v.err = fmt.Errorf("%w: %s: recorded sha256 %s, read %s (the stored bytes changed after they were written)",
				ErrChecksum, v.location, v.want, got)
			return n, v.err
		}
	}
	return n, err
}

func (v *verifyingReader) Close() error { return v.body.Close() }

// hashingReader computes sha256 and size of everything read through it.
type hashingReader struct {
	r    io.Reader
	hash hash.Hash
	size int64
}

func newHashingReader(r io.Reader) *hashingReader {
	return &hashingReader{r: r, hash: sha256.New()}
}

func (h *hashingReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	h.hash.Write(p[:n])
	h.size += int64(n)
	return n, err
}

func (h *hashingReader) sum() string { return hex.EncodeToString(h.hash.Sum(nil)) }

// contextReader stops a long stream soon after ctx is cancelled.
type contextReader struct {
	ctx context.Context
	r   io.Reader
}

func (c contextReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
