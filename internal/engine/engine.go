// Package engine is the domain logic of flink-engine: workspaces, namespaces and their objects, jobs and
// their state sets, snapshot policies and namespace clones. It knows nothing of HTTP; it reaches
// persistence, state bytes and running jobs only through the store, blob and runtime interfaces.
package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/blob"
	"github.com/streamstate/terraform-provider-flink/internal/lease"
	"github.com/streamstate/terraform-provider-flink/internal/runtime"
	"github.com/streamstate/terraform-provider-flink/internal/secretbox"
	"github.com/streamstate/terraform-provider-flink/internal/store"
)

// Options configure an Engine.
type Options struct {
	Store   store.Store
	Managed blob.Store // managed storage, shared by every workspace whose storage type is "managed"
	Runtime runtime.Runtime
	Secrets *secretbox.Box
	// AdminToken authenticates the built-in "admin" user.
	AdminToken string
	// OpenS3 opens a workspace's OSS bucket; nil means OSS storage is refused.
	OpenS3 func(ctx context.Context, cfg blob.S3Config) (blob.Store, error)
	// OpenFlink builds the runtime of a flink workspace; nil means flink workspaces are refused.
	OpenFlink OpenFlinkFunc
	Clock     func() time.Time
	Logger    *slog.Logger
	// Observer receives measurements (checkpoints, snapshots, schedule fires); nil records nothing.
	Observer Observer
	// IdempotencyTTL is how long an Idempotency-Key's first response is replayed before the record is
	// swept (default DefaultIdempotencyTTL).
	IdempotencyTTL time.Duration
	// AllowEndpoints restricts the storage (and runtime) endpoints workspaces may name to these host[:port]
	// patterns (see checkEndpoint); empty allows any http(s) endpoint the admin sets.
	AllowEndpoints []string
	// Leases, when set, shares the store with other replicas: background work (clones, running jobs with
	// their schedules and cleanup) has one owner at a time through leases, and every transaction done for
	// that work is fenced by its lease. Nil (one process over its own SQLite file) runs everything here.
	Leases *lease.Manager
}

// Engine is the domain service. Its methods are safe for concurrent use.
type Engine struct {
	store     store.Store
	managed   blob.Store
	rt        runtime.Runtime
	secrets   *secretbox.Box
	admin     string
	openS3    func(ctx context.Context, cfg blob.S3Config) (blob.Store, error)
	openFlink OpenFlinkFunc
	runtimes  runtimeSet
	clock     func() time.Time
	log       *slog.Logger
	obs       Observer
	idemTTL   time.Duration

	allowEndpoints []string // --allow-endpoint patterns

	storesMu sync.Mutex
	stores   map[string]cachedStore // workspace id -> its OSS store

	pins              pinSet          // snapshots and checkpoints being read by starts and clones
	jobListeners      []func(api.Job) // called after every recorded job status change
	snapshotListeners []func(string)  // called with a snapshot id once it COMPLETED
	sched             *scheduler      // snapshot policies: scheduled snapshots and cleanup
	cloneWork         sync.Map        // clone id -> context.CancelFunc of the run executing it here

	leases    *lease.Manager // nil: this process is the only one on its store
	jobLeases sync.Map       // job id -> the context of its lease, while this replica watches the job
	jobEnded  sync.Map       // job id -> channel closed when the job ends here (wakes its watcher)

	bg     sync.WaitGroup
	ctx    context.Context // cancelled by Close: background work stops
	cancel context.CancelFunc
	hooks  []func(context.Context) // background loops started by Start

	cloneItemHook func(context.Context, api.CloneItem) // tests only (export_test.go): runs before each clone item
}

type cachedStore struct {
	version int64
	store   blob.Store
}

// New builds an Engine. Call Start to resume jobs and start background work.
func New(opts Options) (*Engine, error) {
	if opts.Store == nil || opts.Managed == nil || opts.Runtime == nil || opts.Secrets == nil {
		return nil, fmt.Errorf("engine: store, managed storage, runtime and secrets are required")
	}
	if opts.AdminToken == "" {
		return nil, fmt.Errorf("engine: an admin token is required")
	}
	for _, p := range opts.AllowEndpoints {
		if err := ValidateEndpointPattern(p); err != nil {
			return nil, err
		}
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Observer == nil {
		opts.Observer = noObserver{}
	}
	if opts.IdempotencyTTL <= 0 {
		opts.IdempotencyTTL = DefaultIdempotencyTTL
	}
	ctx, cancel := context.WithCancel(context.Background())
	e := &Engine{
		store: opts.Store, managed: opts.Managed, rt: opts.Runtime, secrets: opts.Secrets,
		admin: opts.AdminToken, openS3: opts.OpenS3, openFlink: opts.OpenFlink, clock: opts.Clock, log: opts.Logger,
		stores: map[string]cachedStore{}, ctx: ctx, cancel: cancel, obs: opts.Observer, idemTTL: opts.IdempotencyTTL,
		allowEndpoints: opts.AllowEndpoints,
	}
	if opts.Leases != nil {
		e.leases = opts.Leases
		e.store = lease.Fenced(opts.Store)
	}
	e.onStart(e.singleton("idempotency-sweep", e.sweepIdempotencyLoop))
	e.sched = newScheduler(e)
	e.jobListeners = append(e.jobListeners, e.forgetVanishedCheckpoints)
	if e.leases != nil {
		e.jobListeners = append(e.jobListeners, e.jobEndedListener)
	}
	return e, nil
}

// Start resumes what was running when the engine last stopped (jobs, clones) and starts background loops.
func (e *Engine) Start(ctx context.Context) error {
	if e.leases != nil {
		return e.startReplica(ctx)
	}
	if err := e.recoverState(ctx); err != nil {
		return fmt.Errorf("recover interrupted snapshots and deletes: %w", err)
	}
	if err := e.resumeJobs(ctx); err != nil {
		return fmt.Errorf("resume jobs: %w", err)
	}
	e.goBackground(e.resumeClones) // clones interrupted by a crash or a stop continue where they were
	for _, loop := range e.hooks {
		e.goBackground(loop)
	}
	return nil
}

// Close stops background work and the runtime's jobs without changing their recorded status, so they
// resume on the next start.
func (e *Engine) Close() error {
	if e.leases != nil {
		// Local jobs stop, silently, before their leases are released (and before their reports could no
		// longer be recorded): a job must not write checkpoints its next owner does not know of.
		_ = e.rt.Close()
	}
	e.cancel()
	e.bg.Wait()
	return errors.Join(e.closeRuntimes(), e.rt.Close())
}

// onStart registers a background loop that Start launches; it must return when its context is cancelled.
func (e *Engine) onStart(loop func(context.Context)) { e.hooks = append(e.hooks, loop) }

func (e *Engine) goBackground(fn func(context.Context)) {
	e.bg.Add(1)
	go func() {
		defer e.bg.Done()
		fn(e.ctx)
	}()
}

func (e *Engine) now() time.Time { return e.clock().UTC() }

// newID returns a random id with a short prefix naming its kind (ws-, ns-, dep-...).
func newID(prefix string) string {
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	return prefix + "-" + hex.EncodeToString(b)
}

// idPrefix maps object kinds to id prefixes, so an id says what it names.
var idPrefix = map[string]string{
	api.KindDraft: "draft", api.KindDeployment: "dep", api.KindFileResource: "file", api.KindCatalog: "cat",
	api.KindUDF: "udf", api.KindConnector: "conn", api.KindFormat: "fmt", api.KindVariable: "var",
	api.KindSessionCluster: "sc", api.KindTaskOrchestration: "orch", api.KindQueue: "queue",
	api.KindAlertConfig: "alert",
}
