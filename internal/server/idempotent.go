package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"

	"github.com/streamstate/terraform-provider-flink/internal/api"
)

// idempotent replays the first response of a mutating request (a create, an update, a start, a delete)
// that carries an Idempotency-Key: a client that retries after a lost answer gets that answer, not a
// 412 for its own update or "already exists" for its own create. Reads pass through. The body it hashes
// is already bounded by the route's limit.
func (s *Server) idempotent(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get(api.HeaderIdempotencyKey)
		if key == "" || r.Method == http.MethodGet || r.Method == http.MethodHead {
			h(w, r)
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			s.fail(w, bodyError(err))
			return
		}
		sum := sha256.Sum256([]byte(r.Method + " " + r.URL.RequestURI() + "\n" + string(body)))
		hash := hex.EncodeToString(sum[:])
		p := principal(r.Context())
		replay, err := s.eng.BeginIdempotent(r.Context(), p, key, hash)
		if err != nil {
			s.fail(w, err)
			return
		}
		if replay != nil {
			w.Header().Set("Content-Type", contentTypeFor(replay.Status))
			w.Header().Set("Idempotent-Replayed", "true")
			w.WriteHeader(replay.Status)
			_, _ = w.Write(replay.Body)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		cap := &captureWriter{ResponseWriter: w, status: http.StatusOK}
		h(cap, r)
		if err := s.eng.FinishIdempotent(r.Context(), p, key, hash, cap.status, cap.body.Bytes()); err != nil {
			s.log.Error("store idempotent response", "err", err)
		}
	}
}

func contentTypeFor(status int) string {
	if status >= 400 {
		return "application/problem+json"
	}
	return "application/json"
}

type captureWriter struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (c *captureWriter) WriteHeader(code int) { c.status = code; c.ResponseWriter.WriteHeader(code) }
func (c *captureWriter) Write(b []byte) (int, error) {
	c.body.Write(b)
	return c.ResponseWriter.Write(b)
}
