// Package local is the embedded runtime: it simulates streaming jobs whose checkpoints and savepoints are
// real files (chunks of deterministic bytes, with sizes, sha256 and a MetadataFile), so state sizes,
// retention, copies and restores behave as they would on a cluster.
package local

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/blob"
	"github.com/streamstate/terraform-provider-flink/internal/runtime"
)

// Options configure a Runtime.
type Options struct {
	// Clock supplies source offsets and checkpoint timestamps (default time.Now). Checkpoint intervals use
	// real timers either way.
	Clock  func() time.Time
	Logger *slog.Logger
}

// Runtime runs simulated jobs in this process.
type Runtime struct {
	clock func() time.Time
	log   *slog.Logger

	mu   sync.Mutex
	jobs map[string]*job
}

var _ runtime.Runtime = (*Runtime)(nil)

var _ runtime.Detacher = (*Runtime)(nil)

// New returns a Runtime with no jobs.
func New(opts Options) *Runtime {
	r := &Runtime{clock: opts.Clock, log: opts.Logger, jobs: map[string]*job{}}
	if r.clock == nil {
		r.clock = time.Now
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	return r
}

// Start verifies the restore source (every file's size and sha256, and the state fingerprint), then
// launches the job; STARTING, RUNNING and checkpoints follow through spec.Events. Local jobs have no
// handle of their own: the engine's job id names them.
func (r *Runtime) Start(ctx context.Context, spec runtime.JobSpec) (string, error) {
	return "", r.start(ctx, spec)
}

// Recover relaunches a job that was running when the engine stopped: local jobs live in the engine's
// process, so nothing of them survived; spec.Restore is the job's latest checkpoint.
func (r *Runtime) Recover(ctx context.Context, spec runtime.JobSpec, _ string) error {
	return r.start(ctx, spec)
}

// CopyState copies a checkpoint or snapshot directory (local state is relocatable: its metadata names
// files relative to the directory, and shared files are copied in). runtime.CopyState proves each copied
// file: a hard link by sharing the source's hashed, untouched bytes, any other copy by reading it back.
func (r *Runtime) CopyState(ctx context.Context, src runtime.StateRef, dst blob.Store, dstPrefix string) (runtime.StateInfo, error) {
	meta, err := runtime.CopyState(ctx, src.Storage, src.Prefix, dst, dstPrefix, copyParallel)
	if err != nil {
		return runtime.StateInfo{}, err
	}
	return runtime.StateInfo{SizeBytes: meta.SizeBytes(), Files: len(meta.Files), Offset: meta.Offset,
		Fingerprint: meta.Fingerprint, Format: meta.SavepointFormat}, nil
}

// copyParallel is how many files CopyState copies at once.
const copyParallel = 8

func (r *Runtime) start(ctx context.Context, spec runtime.JobSpec) error {
	switch {
	case spec.JobID == "":
		return errors.New("local runtime: start: the job spec has no JobID")
	case spec.Storage == nil:
		return fmt.Errorf("local runtime: start job %s: the job spec has no checkpoint Storage", spec.JobID)
	case spec.Events == nil:
		return fmt.Errorf("local runtime: start job %s: the job spec has no Events receiver", spec.JobID)
	}
	cfg, err := runtime.ParseConfig(spec.Config)
	if err != nil {
		return fmt.Errorf("local runtime: start job %s: %w", spec.JobID, err)
	}
	j := &job{spec: spec, cfg: cfg, settings: withDefaults(spec.Checkpoint), clock: r.clock,
		log: r.log, nextSeq: max(spec.FirstCheckpointSeq, 1), done: make(chan struct{})}

	if _, err := r.job(spec.JobID); err == nil {
		return fmt.Errorf("local runtime: start job %s: a job with this id is already running", spec.JobID)
	}
	var restored *runtime.Metadata
	if src := spec.Restore; src != nil {
		if src.Storage == nil {
			return fmt.Errorf("local runtime: start job %s: the restore source %q has no Storage", spec.JobID, src.Prefix)
		}
		meta, err := runtime.VerifyState(ctx, src.Storage, src.Prefix)
		if err != nil {
			return fmt.Errorf("local runtime: start job %s from %s: %w", spec.JobID, src.Storage.Location(src.Prefix), err)
		}
		if meta.Fingerprint != spec.Fingerprint && !src.AllowNonRestoredState {
			return fmt.Errorf("local runtime: start job %s from %s: %w: the state was written by code with fingerprint %s but this job's is %s; restore a compatible snapshot, or allow non-restored state to drop what does not map",
				spec.JobID, src.Storage.Location(src.Prefix), runtime.ErrIncompatibleState, meta.Fingerprint, spec.Fingerprint)
		}
		restored = &meta
	}

	adopted, err := j.adoptCheckpoints(ctx)
	if err != nil {
		return fmt.Errorf("local runtime: start job %s: %w", spec.JobID, err)
	}
	if restored != nil {
		// With allowed non-restored state the source offset still maps (sources keep their ids), so the
		// job continues from it either way.
		j.startOffset = restored.Offset
		_, sameCheckpoints := adopted[strings.TrimSuffix(spec.Restore.Prefix, "/")]
		j.chunks = restoredChunks(*restored, sameCheckpoints && sameStore(spec.Restore.Storage, spec.Storage))
	}
	j.lastChangeOffset = j.startOffset
	j.runningSince = r.clock()

	r.mu.Lock()
	if _, dup := r.jobs[spec.JobID]; dup {
		r.mu.Unlock()
		return fmt.Errorf("local runtime: start job %s: a job with this id is already running", spec.JobID)
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	j.cancel = cancel
	r.jobs[spec.JobID] = j
	r.mu.Unlock()
	go j.run(ctx)
	return nil
}

// restoredChunks rebuilds the chunk table from restored state. Shared files are reused by the next
// incremental checkpoint only when they live in this job's own checkpoint directory (withShared).
func restoredChunks(m runtime.Metadata, withShared bool) []chunk {
	files := append([]runtime.StateFile(nil), m.Files...)
	sort.Slice(files, func(a, b int) bool { return files[a].Chunk < files[b].Chunk })
	var chunks []chunk
	for i, f := range files {
		if f.Chunk != i {
			return nil // not a layout this runtime wrote: start the keyed state afresh
		}
		c := chunk{Index: i, Version: f.Version, Size: f.Size}
		if withShared && f.Shared {
			c.SharedKey, c.SHA256 = f.Key, f.SHA256
		}
		chunks = append(chunks, c)
	}
	return chunks
}

// sameStore tells whether two stores address the same place (they render keys alike).
func sameStore(a, b blob.Store) bool {
	const probe = "chk-probe/_metadata"
	return a.Location(probe) == b.Location(probe)
}

func withDefaults(s runtime.CheckpointSettings) runtime.CheckpointSettings {
	d := runtime.DefaultCheckpointSettings(api.CheckpointSettings{
		Interval: api.DurationOf(s.Interval), Timeout: api.DurationOf(s.Timeout),
		MinPause: api.DurationOf(s.MinPause), Retained: s.Retained,
	})
	return d
}

func (r *Runtime) job(jobID string) (*job, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	j, ok := r.jobs[jobID]
	if !ok {
		return nil, fmt.Errorf("local runtime: job %s: %w (it is not running here)", jobID, runtime.ErrUnknownJob)
	}
	return j, nil
}

// Stop ends a job: NONE → CANCELLED; STOP_WITH_SAVEPOINT → a savepoint into target, then CANCELLED;
// STOP_WITH_DRAIN → FINISHED (with a savepoint when target is given). When the savepoint fails the job
// keeps running and the error is returned. The final status is reported before Stop returns.
func (r *Runtime) Stop(ctx context.Context, jobID, strategy string, target *runtime.SavepointTarget) (*runtime.SavepointResult, error) {
	j, err := r.job(jobID)
	if err != nil {
		return nil, err
	}
	final := api.JobCancelled
	switch strategy {
	case "", api.StopNone:
	case api.StopWithSavepoint:
		if target == nil {
			return nil, fmt.Errorf("local runtime: stop job %s with %s: no savepoint target given", jobID, api.StopWithSavepoint)
		}
	case api.StopWithDrain:
		final = api.JobFinished
	default:
		return nil, fmt.Errorf("local runtime: stop job %s: unknown stop strategy %q; use %s, %s or %s", jobID, strategy, api.StopNone, api.StopWithSavepoint, api.StopWithDrain)
	}
	var result *runtime.SavepointResult
	if target != nil && strategy != "" && strategy != api.StopNone {
		res, err := j.savepoint(ctx, *target)
		if err != nil {
			return nil, fmt.Errorf("local runtime: stop job %s with %s (the job keeps running): %w", jobID, strategy, err)
		}
		result = &res
	}
	r.mu.Lock()
	if r.jobs[jobID] != j {
		r.mu.Unlock()
		return nil, fmt.Errorf("local runtime: stop job %s: %w (it was stopped meanwhile)", jobID, runtime.ErrUnknownJob)
	}
	delete(r.jobs, jobID)
	r.mu.Unlock()
	j.cancel()
	<-j.done
	j.status(runtime.JobStatus{Status: final})
	return result, nil
}

// Savepoint writes a self-contained savepoint of a running job under target.Prefix.
func (r *Runtime) Savepoint(ctx context.Context, jobID string, target runtime.SavepointTarget) (runtime.SavepointResult, error) {
	j, err := r.job(jobID)
	if err != nil {
		return runtime.SavepointResult{}, err
	}
	res, err := j.savepoint(ctx, target)
	if err != nil {
		return runtime.SavepointResult{}, fmt.Errorf("local runtime: savepoint of job %s: %w", jobID, err)
	}
	return res, nil
}

// Detach stops one job without reporting anything, as Close does for all: another engine replica runs it
// now (from its checkpoints), so this process must stop writing for it.
func (r *Runtime) Detach(jobID string) error {
	r.mu.Lock()
	j, ok := r.jobs[jobID]
	delete(r.jobs, jobID)
	r.mu.Unlock()
	if !ok {
		return fmt.Errorf("local runtime: detach job %s: %w", jobID, runtime.ErrUnknownJob)
	}
	j.closing.Store(true)
	j.cancel()
	<-j.done
	return nil
}

// Close stops every job without reporting status changes.
func (r *Runtime) Close() error {
	r.mu.Lock()
	jobs := r.jobs
	r.jobs = map[string]*job{}
	r.mu.Unlock()
	for _, j := range jobs {
		j.closing.Store(true)
		j.cancel()
	}
	for _, j := range jobs {
		<-j.done
	}
	return nil
}

// holdSavepoint waits out local.savepoint-delay, or until the caller gives up or the job ends.
func (j *job) holdSavepoint(ctx context.Context) error {
	if j.cfg.SavepointDelay <= 0 {
		return nil
	}
	t := time.NewTimer(j.cfg.SavepointDelay)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-j.done:
		return fmt.Errorf("the job ended while the savepoint waited out %s", runtime.ConfigSavepointDelay)
	}
}

// savepoint writes every chunk into target.Prefix (relative keys), then the MetadataFile.
func (j *job) savepoint(ctx context.Context, target runtime.SavepointTarget) (runtime.SavepointResult, error) {
	if j.cfg.SavepointFailure {
		return runtime.SavepointResult{}, fmt.Errorf("savepoint declined: the deployment's flink configuration sets %s: true; remove it to take savepoints", runtime.ConfigSavepointFailure)
	}
	format := target.Format
	switch format {
	case "":
		format = api.FormatCanonical
	case api.FormatCanonical, api.FormatNative:
	default:
		return runtime.SavepointResult{}, fmt.Errorf("savepoint format %q: use %s or %s", target.Format, api.FormatCanonical, api.FormatNative)
	}
	if target.Storage == nil {
		return runtime.SavepointResult{}, fmt.Errorf("savepoint target %q has no Storage", target.Prefix)
	}
	if err := j.holdSavepoint(ctx); err != nil {
		return runtime.SavepointResult{}, err
	}
	began := time.Now()
	createdAt := j.clock()
	off, chunks := j.snapshotState(createdAt)
	files, err := writeChunks(ctx, target.Storage, j.spec.JobID, chunks,
		func(c chunk) string { return runtime.JoinKey(target.Prefix, chunkFileName(c)) }, false, chunkFileName)
	if err != nil {
		return runtime.SavepointResult{}, err
	}
	meta := runtime.Metadata{Kind: runtime.KindSavepoint, JobID: j.spec.JobID, DeploymentID: j.spec.DeploymentID,
		Offset: off, Fingerprint: j.spec.Fingerprint, SavepointFormat: format, CreatedAt: createdAt, Files: files}
	if _, err := runtime.WriteMetadata(ctx, target.Storage, target.Prefix, meta); err != nil {
		for _, f := range files {
			_ = target.Storage.Delete(context.WithoutCancel(ctx), runtime.JoinKey(target.Prefix, f.Key))
		}
		return runtime.SavepointResult{}, err
	}
	return runtime.SavepointResult{Prefix: target.Prefix, SizeBytes: sumSizes(files), Offset: off, Fingerprint: j.spec.Fingerprint, Duration: time.Since(began)}, nil
}
