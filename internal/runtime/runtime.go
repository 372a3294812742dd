// Package runtime defines how the engine runs jobs. The engine owns the records (jobs, checkpoints,
// snapshots); a Runtime owns the running processes and the bytes they write, and reports what happens
// through Events. Implementations: local (simulated streaming jobs that write real state files) and
// flink (a real Apache Flink session cluster through the JobManager REST API and the SQL Gateway).
package runtime

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/blob"
)

// ErrIncompatibleState is returned (wrapped) by Start when the restore source's state schema fingerprint
// differs from the job's and AllowNonRestoredState is false.
var ErrIncompatibleState = errors.New("runtime: incompatible state")

// ErrCorruptState is returned (wrapped) when a restore source fails checksum verification or is unreadable.
var ErrCorruptState = errors.New("runtime: state files corrupt or missing")

// ErrUnknownJob is returned (wrapped) for a job this runtime does not run.
var ErrUnknownJob = errors.New("runtime: unknown job")

// ErrNotRelocatable is returned (wrapped) by CopyState for state that only works where it was written (a
// Flink checkpoint: absolute paths, shared files).
var ErrNotRelocatable = errors.New("runtime: state is not relocatable")

// ErrVersionMismatch is returned (wrapped) by Start when the deployment's engine version does not match the
// cluster's Flink version; the message names both.
var ErrVersionMismatch = errors.New("runtime: engine version does not match the cluster")

// ErrUnavailable is returned (wrapped) when the cluster cannot be reached; the message names the URL.
var ErrUnavailable = errors.New("runtime: cluster unavailable")

// MetadataFile is the name of the file that describes a checkpoint or snapshot directory.
const MetadataFile = "_metadata"

// Runtime runs jobs. Methods are safe for concurrent use.
type Runtime interface {
	// Start launches a job and returns its handle: the id the runtime knows the job by (the Flink job id on
	// the flink runtime, "" on local), which the engine records. It returns once the job is accepted
	// (STARTING); RUNNING and later statuses, and every checkpoint, arrive through Events.
	Start(ctx context.Context, spec JobSpec) (handle string, err error)
	// Recover re-attaches to a job that was active when the engine stopped, by its recorded handle. A
	// runtime whose jobs outlive the engine (flink) watches the job again, reports a final status it reached
	// meanwhile through Events, and returns ErrUnknownJob when the job is gone; it never resubmits. A
	// runtime whose jobs die with the engine (local) relaunches the job from spec.Restore.
	Recover(ctx context.Context, spec JobSpec, handle string) error
	// Stop ends a job. With StopWithSavepoint, target receives a self-contained savepoint written before
	// the job ends; the result describes it. The job ends CANCELLED (NONE, STOP_WITH_SAVEPOINT) or
	// FINISHED (STOP_WITH_DRAIN), reported through Events before Stop returns.
	Stop(ctx context.Context, jobID, strategy string, target *SavepointTarget) (*SavepointResult, error)
	// Savepoint writes a self-contained savepoint of a running job under target.Prefix and returns once it
	// completed; SavepointResult.Prefix is the directory holding its MetadataFile.
	Savepoint(ctx context.Context, jobID string, target SavepointTarget) (SavepointResult, error)
	// CopyState copies relocatable state into dst under dstPrefix and verifies the copy (a clone's state).
	// State that only works where it was written returns ErrNotRelocatable. A failed copy leaves a partial
	// copy (no MetadataFile) under dstPrefix: the caller removes it if the prefix is still its own.
	CopyState(ctx context.Context, src StateRef, dst blob.Store, dstPrefix string) (StateInfo, error)
	// Close stops watching jobs. Jobs that live in this process (local) stop without a status report (they
	// stay RUNNING in the records and are recovered on the next start); jobs on a cluster keep running.
	Close() error
}

// Detacher is implemented by runtimes that can let go of one job without any report, because another
// engine replica runs or watches it: the local runtime stops the job (it lives in the engine's process),
// the Flink runtime stops watching it (it keeps running on its cluster).
type Detacher interface {
	Detach(jobID string) error
}

// Prober is implemented by runtimes that drive a cluster: Probe reaches every endpoint and reads the
// cluster's version, so a bad URL is refused when a workspace is written rather than at the first start.
type Prober interface {
	Probe(ctx context.Context) (ClusterInfo, error)
}

// ClusterInfo describes a cluster a runtime drives.
type ClusterInfo struct {
	FlinkVersion string // as the cluster reports it, e.g. "1.20.1"
}

// JobSpec is everything a runtime needs to run one job.
type JobSpec struct {
	JobID        string
	DeploymentID string
	// Program is what runs: SQL statements or a JAR's entry class.
	Program Program
	// Config is the deployment's Flink configuration (local.*, state.backend.incremental,
	// table.exec.state.ttl, ...).
	Config     map[string]string
	Checkpoint CheckpointSettings
	// Storage and CheckpointPrefix say where checkpoints go: chk-<seq>/ directories under the prefix
	// (and shared/ for incremental checkpoints).
	Storage          blob.Store
	CheckpointPrefix string
	// FirstCheckpointSeq is the sequence number of the next checkpoint (a resumed job continues its count).
	FirstCheckpointSeq int64
	// Fingerprint is the state schema fingerprint of the job's code (see Fingerprint).
	Fingerprint string
	// Restore, when set, is the state the job starts from.
	Restore *RestoreSource
	Events  Events
}

// Program is the code of a job.
type Program struct {
	Type          string // api.DeploymentSQL, api.DeploymentJAR, api.DeploymentPython
	ExecutionMode string // api.ModeStreaming or api.ModeBatch
	EngineVersion string // e.g. "flink-1.20" or "vvr-11.1-flink-1.20"
	SQL           string // one or more statements
	Jar           *JarProgram
	Parallelism   int // 0 = the cluster's default
}

// JarProgram is a JAR deployment's artifact.
type JarProgram struct {
	Name       string // file name for the upload
	EntryClass string
	Args       []string
	// Open returns the jar's bytes (the engine resolves file resources and http(s) URIs).
	Open func(ctx context.Context) (io.ReadCloser, error)
}

// StateRef is a state directory (holding MetadataFile): a snapshot's or a checkpoint's.
type StateRef struct {
	Storage    blob.Store
	Prefix     string
	Checkpoint bool
}

// StateInfo describes copied state.
type StateInfo struct {
	SizeBytes int64
	Files     int
	// Offset, Fingerprint and Format are known where the runtime reads its own metadata (local).
	Offset      int64
	Fingerprint string
	Format      string
}

// CheckpointSettings are a deployment's checkpoint settings with defaults applied.
type CheckpointSettings struct {
	Interval time.Duration
	Timeout  time.Duration
	MinPause time.Duration
	Retained int
}

// RestoreSource is a checkpoint or snapshot directory (holding MetadataFile) to start from.
type RestoreSource struct {
	Storage               blob.Store
	Prefix                string
	AllowNonRestoredState bool
}

// SavepointTarget says where a savepoint goes and in which format (CANONICAL or NATIVE).
type SavepointTarget struct {
	Storage blob.Store
	Prefix  string
	Format  string
}

// SavepointResult describes a written savepoint.
type SavepointResult struct {
	// Prefix is the directory holding the savepoint's MetadataFile: target.Prefix, or a directory the
	// runtime made inside it (Flink writes savepoint-<id>/).
	Prefix      string
	SizeBytes   int64
	Offset      int64
	Fingerprint string
	Duration    time.Duration
}

// JobStatus is a job's status change.
type JobStatus struct {
	Status  string // api.Job* constants
	Failure string
	// Message is informational ("Flink at http://... unreachable since ...; retrying"); "" clears it.
	Message     string
	StartOffset int64 // set with RUNNING: the offset the job continues from
}

// CheckpointInfo describes one checkpoint attempt.
type CheckpointInfo struct {
	Seq           int64
	Prefix        string // the chk-<seq>/ directory, holding MetadataFile (a key of JobSpec.Storage)
	Incremental   bool
	SizeBytes     int64 // bytes written by this checkpoint
	FullSizeBytes int64 // bytes referenced, shared files included
	Offset        int64
	StartedAt     time.Time
	CompletedAt   time.Time
	Failure       string
}

// Events receives what happens to jobs. Calls for one job come in order, from the runtime's goroutines.
type Events interface {
	JobStatusChanged(jobID string, status JobStatus)
	// CheckpointCompleted reports a completed checkpoint and answers whether it is on record. A runtime
	// that discards older checkpoints itself does so only after a newer one is on record: the newest
	// checkpoint on record must keep its files, since a resume (here or on another replica) restores
	// from it.
	CheckpointCompleted(jobID string, cp CheckpointInfo) (recorded bool)
	CheckpointFailed(jobID string, cp CheckpointInfo)
	// CheckpointDiscarded reports a completed checkpoint removed because more than Retained are kept.
	CheckpointDiscarded(jobID string, seq int64)
}
