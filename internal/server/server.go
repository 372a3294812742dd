// Package server is the HTTP API of flink-engine over the engine: routing, bearer-token auth,
// idempotency keys, request limits and application/problem+json errors. It holds no domain rules.
package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/engine"
	"github.com/streamstate/terraform-provider-flink/internal/metrics"
)

// Default limits; cmd/flink-engine exposes each as a flag.
const (
	// DefaultMaxBody bounds every request body except file resource uploads.
	DefaultMaxBody = 1 << 20
	// DefaultMaxUpload bounds one file resource upload (PUT .../file-resources/{name}).
	DefaultMaxUpload = 512 << 20
	// DefaultMaxConcurrentUploads caps uploads in progress at once; more are answered 503 at once.
	DefaultMaxConcurrentUploads = 4
)

// Options adjust a server; zero values take the defaults above.
type Options struct {
	MaxBody              int64
	MaxUpload            int64
	MaxConcurrentUploads int
	// Metrics, when set, records every request and serves GET /metrics (admin token required).
	Metrics *metrics.Metrics
}

// Server serves the API.
type Server struct {
	eng     *engine.Engine
	log     *slog.Logger
	mux     *http.ServeMux
	ready   atomic.Bool
	opts    Options
	uploads chan struct{} // a slot per upload in progress
}

// New builds a server with the default options.
func New(eng *engine.Engine, log *slog.Logger) *Server { return NewWithOptions(eng, log, Options{}) }

// NewWithOptions builds the server and registers exactly the routes of api.Routes; it panics when a route
// has no handler or a handler no route, so the contract and the server cannot drift.
func NewWithOptions(eng *engine.Engine, log *slog.Logger, opts Options) *Server {
	if opts.MaxBody <= 0 {
		opts.MaxBody = DefaultMaxBody
	}
	if opts.MaxUpload <= 0 {
		opts.MaxUpload = DefaultMaxUpload
	}
	if opts.MaxConcurrentUploads <= 0 {
		opts.MaxConcurrentUploads = DefaultMaxConcurrentUploads
	}
	s := &Server{eng: eng, log: log, mux: http.NewServeMux(), opts: opts, uploads: make(chan struct{}, opts.MaxConcurrentUploads)}
	handlers := s.handlers()
	guards := guards()
	for _, route := range api.Routes {
		h, ok := handlers[route]
		if !ok {
			panic("server: no handler for route " + route)
		}
		delete(handlers, route)
		s.mux.Handle(route, s.limited(route, withGuard(guards[route], h)))
	}
	for route := range handlers {
		panic("server: handler for undeclared route " + route)
	}
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	s.mux.HandleFunc("GET /readyz", s.readyz)
	if opts.Metrics != nil {
		s.mux.Handle("GET /metrics", s.authed(s.adminOnly(opts.Metrics.Handler().ServeHTTP)))
	}
	s.mux.HandleFunc("/", s.noRoute)
	return s
}

// readyz answers 200 once the engine has resumed its work and its store answers, with the store's and
// (with replicas) the leases' state: owner, held, failovers, the last renewal error. Load balancers read
// the status; operators read the body.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	if !s.ready.Load() {
		http.Error(w, "starting", http.StatusServiceUnavailable)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	rd := s.eng.Readiness(ctx)
	status := http.StatusOK
	if !rd.StoreReady {
		status = http.StatusServiceUnavailable
	}
	writeJSON(w, status, rd)
}

// SetReady flips /readyz to 200 once the engine has resumed its work.
func (s *Server) SetReady(ready bool) { s.ready.Store(ready) }

// ServeHTTP logs every request (never bodies or headers: they may carry secrets) and counts it by route.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	s.mux.ServeHTTP(rec, r)
	elapsed := time.Since(start)
	if s.opts.Metrics != nil {
		_, pattern := s.mux.Handler(r)
		s.opts.Metrics.ObserveRequest(pattern, rec.status, elapsed)
	}
	s.log.Debug("request", "method", r.Method, "path", r.URL.Path, "status", rec.status, "duration", elapsed)
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) { r.status = code; r.ResponseWriter.WriteHeader(code) }

// probeMethods are the methods a 405 answer may list in Allow.
var probeMethods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch}

// noRoute answers a request no route matched: 405 with Allow when the path exists under other methods,
// 404 otherwise.
func (s *Server) noRoute(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range probeMethods {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := s.mux.Handler(probe); pattern != "" && pattern != "/" {
			allow = append(allow, m)
		}
	}
	if slices.Contains(allow, http.MethodGet) {
		allow = append(allow, http.MethodHead)
	}
	if len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		writeProblem(w, http.StatusMethodNotAllowed, api.CodeMethodNotAllowed,
			fmt.Sprintf("%s is not allowed on %s: use %s", r.Method, r.URL.Path, strings.Join(allow, ", ")))
		return
	}
	writeProblem(w, http.StatusNotFound, api.CodeNotFound, fmt.Sprintf("no route %s %s: see /api/v1/openapi.json", r.Method, api.Excerpt(r.URL.Path)))
}
