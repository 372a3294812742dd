// Package server is the HTTP API of flink-engine over the engine: routing, bearer-token auth,
// idempotency keys and application/problem+json errors. It holds no domain rules.
package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/engine"
)

// maxBody bounds request bodies (file resources travel inline, base64).
const maxBody = 64 << 20

// Server serves the API.
type Server struct {
	eng   *engine.Engine
	log   *slog.Logger
	mux   *http.ServeMux
	ready atomic.Bool
}

// New builds the server and registers exactly the routes of api.Routes; it panics when a route has no
// handler or a handler no route, so the contract and the server cannot drift.
func New(eng *engine.Engine, log *slog.Logger) *Server {
	s := &Server{eng: eng, log: log, mux: http.NewServeMux()}
	handlers := s.handlers()
	for _, route := range api.Routes {
		h, ok := handlers[route]
		if !ok {
			panic("server: no handler for route " + route)
		}
		delete(handlers, route)
		s.mux.Handle(route, h)
	}
	for route := range handlers {
		panic("server: handler for undeclared route " + route)
	}
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	s.mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		if !s.ready.Load() {
			http.Error(w, "starting", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, http.StatusNotFound, api.CodeNotFound, fmt.Sprintf("no route %s %s: see /api/v1/openapi.json", r.Method, r.URL.Path))
	})
	return s
}

// SetReady flips /readyz to 200 once the engine has resumed its work.
func (s *Server) SetReady(ready bool) { s.ready.Store(ready) }

// ServeHTTP logs every request (never bodies or headers: they may carry secrets).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	s.mux.ServeHTTP(rec, r)
	s.log.Debug("request", "method", r.Method, "path", r.URL.Path, "status", rec.status, "duration", time.Since(start))
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) { r.status = code; r.ResponseWriter.WriteHeader(code) }

type principalKey struct{}

func principal(ctx context.Context) engine.Principal {
	return ctx.Value(principalKey{}).(engine.Principal)
}

// authed wraps a handler with bearer-token authentication.
func (s *Server) authed(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		p, err := s.eng.Authenticate(r.Context(), strings.TrimSpace(token))
		if err != nil {
			s.fail(w, err)
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
	}
}

// idempotent replays the first response of a creating POST that carries an Idempotency-Key.
func (s *Server) idempotent(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get(api.HeaderIdempotencyKey)
		if key == "" {
			h(w, r)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
		if err != nil {
			writeProblem(w, http.StatusBadRequest, api.CodeInvalidArgument, "cannot read the request body: "+err.Error())
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

// statusOf maps engine error codes to HTTP statuses.
var statusOf = map[string]int{
	api.CodeUnauthenticated: http.StatusUnauthorized, api.CodeForbidden: http.StatusForbidden,
	api.CodeNotFound: http.StatusNotFound, api.CodeConflict: http.StatusConflict,
	api.CodeAlreadyExists: http.StatusConflict, api.CodeLocked: http.StatusLocked,
	api.CodeInvalidArgument: http.StatusBadRequest, api.CodePreconditionFailed: http.StatusPreconditionFailed,
	api.CodeIdempotencyMismatch: http.StatusUnprocessableEntity, api.CodeNamespaceNotEmpty: http.StatusConflict,
	api.CodeJobNotRunning: http.StatusConflict, api.CodeJobNotStopped: http.StatusConflict,
	api.CodeIncompatibleState: http.StatusConflict, api.CodeSnapshotInUse: http.StatusConflict,
	api.CodeCloneRunning: http.StatusConflict, api.CodeRegionMismatch: http.StatusBadRequest,
	api.CodeArchMismatch: http.StatusBadRequest, api.CodeStorageIncompatible: http.StatusBadRequest,
	api.CodeCloneDisabled: http.StatusForbidden, api.CodeStorageAccessDenied: http.StatusForbidden,
	api.CodeUnavailable: http.StatusServiceUnavailable,
}

// fail writes err as a problem; errors without a domain code are internal and logged.
func (s *Server) fail(w http.ResponseWriter, err error) {
	var de *engine.Error
	if errors.As(err, &de) {
		status, ok := statusOf[de.Code]
		if !ok {
			status = http.StatusInternalServerError
		}
		writeJSON(w, status, api.Problem{Title: http.StatusText(status), Status: status, Code: de.Code,
			Detail: de.Message, TaskID: de.TaskID, Counts: de.Counts})
		return
	}
	if errors.Is(err, context.Canceled) {
		writeProblem(w, 499, api.CodeUnavailable, "the request was cancelled")
		return
	}
	s.log.Error("internal error", "err", err)
	writeProblem(w, http.StatusInternalServerError, api.CodeInternal, "internal error: "+err.Error())
}

func writeProblem(w http.ResponseWriter, status int, code, detail string) {
	writeJSON(w, status, api.Problem{Title: http.StatusText(status), Status: status, Code: code, Detail: detail})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	ct := "application/json"
	if _, ok := v.(api.Problem); ok {
		ct = "application/problem+json"
	}
	w.Header().Set("Content-Type", ct)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// decode reads a JSON body strictly: unknown fields are an error naming the field.
func decode(r *http.Request, out any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(out); err != nil && !errors.Is(err, io.EOF) {
		return &engine.Error{Code: api.CodeInvalidArgument, Message: "request body: " + err.Error()}
	}
	return nil
}
