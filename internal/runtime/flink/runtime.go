// Package flink runs jobs on a real Apache Flink session cluster: SQL deployments through the SQL
// Gateway REST API, JAR deployments through the JobManager's /jars endpoints, and savepoints, stops,
// status and checkpoints through the JobManager REST API. The cluster owns what runs; this package
// reports what Flink does through runtime.Events from one watcher goroutine, and never resubmits a job
// the cluster still has: every job gets a Flink job id derived from the engine's job id (FlinkJobID), so
// a start that crashed after submitting finds and adopts the job instead of submitting it twice.
package flink

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/runtime"
)

// Options configure a Runtime.
type Options struct {
	// RESTURL is the JobManager's REST endpoint (http://host:8081). Required.
	RESTURL string
	// SQLGatewayURL is the SQL Gateway's REST endpoint (http://host:8083); SQL deployments need it.
	SQLGatewayURL string
	// HTTPClient sends every request (default: a client with a 30 s timeout per request).
	HTTPClient *http.Client
	Logger     *slog.Logger
	// PollInterval is the watcher's tick (default 1 s); Stop and savepoints poll on their own.
	PollInterval time.Duration
	// MaxBackoff bounds the watcher's retry interval while the cluster is unreachable (default 30 s).
	MaxBackoff time.Duration
	// StartTimeout bounds how long Start waits for a submitted job to leave CREATED/INITIALIZING, which
	// is when Flink has read (or refused) the restore state (default 2 min).
	StartTimeout time.Duration
}

// Runtime runs jobs on one Flink session cluster.
type Runtime struct {
	opts  Options
	log   *slog.Logger
	jm    *jobManager
	gw    *sqlGateway // nil without a SQL Gateway URL
	watch *watcher

	mu      sync.Mutex
	version string // the cluster's Flink version, read once
}

var (
	_ runtime.Runtime = (*Runtime)(nil)
	_ runtime.Prober  = (*Runtime)(nil)
)

// minVersion is the oldest Flink this runtime drives: the configuration keys it sets (execution.
// checkpointing.dir, execution.state-recovery.*) and the jar run request's claimMode arrived in 1.20.
var minVersion = [2]int{1, 20}

// New checks the URLs and starts the watcher; it does not contact the cluster (Probe does).
func New(opts Options) (*Runtime, error) {
	rest, err := checkURL("rest_url", opts.RESTURL)
	if err != nil {
		return nil, err
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = time.Second
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = 30 * time.Second
	}
	if opts.StartTimeout <= 0 {
		opts.StartTimeout = 2 * time.Minute
	}
	r := &Runtime{opts: opts, log: opts.Logger,
		jm: &jobManager{rest: restClient{base: rest, http: opts.HTTPClient, name: "Flink REST"}}}
	if opts.SQLGatewayURL != "" {
		gw, err := checkURL("sql_gateway_url", opts.SQLGatewayURL)
		if err != nil {
			return nil, err
		}
		r.gw = &sqlGateway{rest: restClient{base: gw, http: opts.HTTPClient, name: "Flink SQL Gateway"}}
	}
	r.watch = newWatcher(r.jm, opts.Logger, opts.PollInterval, opts.MaxBackoff)
	go r.watch.run()
	return r, nil
}

func checkURL(attr, raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("flink runtime: %s %q is not an http(s) URL; give the endpoint like http://flink-jobmanager:8081", attr, raw)
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// FlinkJobID is the Flink job id of an engine job: the first 32 hex digits of sha256(jobID). Derived,
// not random, so a Start repeated after a crash finds the job it submitted before.
func FlinkJobID(jobID string) string {
	sum := sha256.Sum256([]byte(jobID))
	return hex.EncodeToString(sum[:16])
}

// Probe reaches the JobManager (and the SQL Gateway when configured) and returns the cluster's Flink
// version. Unreachable endpoints wrap runtime.ErrUnavailable and name the URL.
func (r *Runtime) Probe(ctx context.Context) (runtime.ClusterInfo, error) {
	v, err := r.clusterVersion(ctx)
	if err != nil {
		return runtime.ClusterInfo{}, err
	}
	if r.gw != nil {
		info, err := r.gw.info(ctx)
		if err != nil {
			return runtime.ClusterInfo{}, fmt.Errorf("flink runtime: sql_gateway_url: %w", err)
		}
		if err := r.gw.negotiate(ctx); err != nil {
			return runtime.ClusterInfo{}, fmt.Errorf("flink runtime: sql_gateway_url: %w", err)
		}
		if mm, _ := majorMinor(info.Version); mm != "" {
			if jmm, _ := majorMinor(v); jmm != mm {
				return runtime.ClusterInfo{}, fmt.Errorf("flink runtime: the SQL Gateway at %s runs Flink %s but the JobManager at %s runs Flink %s; point both URLs at one cluster",
					r.gw.rest.base, info.Version, r.jm.rest.base, v)
			}
		}
	}
	return runtime.ClusterInfo{FlinkVersion: v}, nil
}

// clusterVersion reads the Flink version from GET /config once and caches it.
func (r *Runtime) clusterVersion(ctx context.Context) (string, error) {
	r.mu.Lock()
	v := r.version
	r.mu.Unlock()
	if v != "" {
		return v, nil
	}
	cfg, err := r.jm.config(ctx)
	if err != nil {
		return "", fmt.Errorf("flink runtime: rest_url: %w", err)
	}
	if cfg.FlinkVersion == "" {
		return "", fmt.Errorf("flink runtime: rest_url %s answered GET /config without a flink-version; is it a Flink JobManager?", r.jm.rest.base)
	}
	_, parts := majorMinor(cfg.FlinkVersion)
	if parts[0] < minVersion[0] || parts[0] == minVersion[0] && parts[1] < minVersion[1] {
		return "", fmt.Errorf("flink runtime: the cluster at %s runs Flink %s; this runtime needs Flink %d.%d or later",
			r.jm.rest.base, cfg.FlinkVersion, minVersion[0], minVersion[1])
	}
	r.mu.Lock()
	r.version = cfg.FlinkVersion
	r.mu.Unlock()
	return cfg.FlinkVersion, nil
}

// majorMinor returns "1.20" and [1 20] for "1.20.1" (or "2.1-SNAPSHOT"); "" when v has no major.minor.
func majorMinor(v string) (string, [2]int) {
	fields := strings.FieldsFunc(v, func(r rune) bool { return r == '.' || r == '-' })
	if len(fields) < 2 {
		return "", [2]int{}
	}
	a, err1 := strconv.Atoi(fields[0])
	b, err2 := strconv.Atoi(fields[1])
	if err1 != nil || err2 != nil {
		return "", [2]int{}
	}
	return fmt.Sprintf("%d.%d", a, b), [2]int{a, b}
}

// engineMajorMinor reads the Flink major.minor from an engine version: "flink-1.20", "1.20",
// "vvr-11.1-flink-1.20".
func engineMajorMinor(engine string) string {
	s := strings.ToLower(strings.TrimSpace(engine))
	if i := strings.LastIndex(s, "flink-"); i >= 0 {
		s = s[i+len("flink-"):]
	} else if strings.HasPrefix(s, "vvr-") {
		return ""
	}
	mm, _ := majorMinor(s)
	return mm
}

// checkVersion compares a deployment's engine version with the cluster's Flink version.
func checkVersion(engine, cluster string) error {
	if strings.TrimSpace(engine) == "" {
		return nil
	}
	want := engineMajorMinor(engine)
	have, _ := majorMinor(cluster)
	if want == "" {
		return fmt.Errorf("%w: engine_version %q names no Flink version and the cluster runs Flink %s; use flink-%s or vvr-<version>-flink-%s",
			runtime.ErrVersionMismatch, engine, cluster, have, have)
	}
	if want != have {
		return fmt.Errorf("%w: engine_version %q wants Flink %s but the cluster runs Flink %s; set engine_version to flink-%s or run the job on a Flink %s cluster",
			runtime.ErrVersionMismatch, engine, want, cluster, have, want)
	}
	return nil
}

// Close stops the watcher. Jobs keep running on the cluster; Recover re-attaches to them.
func (r *Runtime) Close() error {
	r.watch.close()
	return nil
}

// Recover watches a job the engine recorded as active. The handle is its Flink job id (derived from
// spec.JobID when empty). A job the cluster no longer knows returns runtime.ErrUnknownJob; an unreachable
// cluster returns an error wrapping runtime.ErrUnavailable (nothing is watched: call Recover again). A
// job that ended meanwhile reports its final status through spec.Events. Recover never submits anything.
func (r *Runtime) Recover(ctx context.Context, spec runtime.JobSpec, handle string) error {
	if spec.JobID == "" || spec.Events == nil || spec.Storage == nil {
		return fmt.Errorf("flink runtime: recover: the job spec needs JobID, Storage and Events")
	}
	if handle == "" {
		handle = FlinkJobID(spec.JobID)
	}
	if _, err := r.jm.job(ctx, handle); err != nil {
		if isStatus(err, http.StatusNotFound) {
			return fmt.Errorf("%w: job %s: the Flink cluster at %s has no job %s (it ended and was forgotten, or the cluster restarted without high availability)",
				runtime.ErrUnknownJob, spec.JobID, r.jm.rest.base, handle)
		}
		return fmt.Errorf("flink runtime: recover job %s (Flink job %s): %w", spec.JobID, handle, err)
	}
	r.watch.add(spec, handle, true)
	return nil
}

// Detach stops watching a job, without any report: the job keeps running on its cluster, and another
// engine replica watches it.
func (r *Runtime) Detach(jobID string) error {
	j := r.watch.get(jobID)
	if j == nil {
		return r.errNotWatched(jobID)
	}
	r.watch.remove(j)
	return nil
}

// errNotWatched is returned for a job this runtime does not watch.
func (r *Runtime) errNotWatched(jobID string) error {
	return fmt.Errorf("%w: job %s is not running on this runtime (start or recover it first)", runtime.ErrUnknownJob, jobID)
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

var errNoGateway = errors.New("flink runtime: SQL deployments need the workspace's sql_gateway_url")
