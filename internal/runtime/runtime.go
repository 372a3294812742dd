// Package runtime defines how the engine runs jobs. The engine owns the records (jobs, checkpoints,
// snapshots); a Runtime owns the running processes and the bytes they write, and reports what happens
// through Events. Implementations: local (simulated streaming jobs that write real state files) and,
// later, flink (the JobManager REST API).
package runtime

import (
	"context"
	"errors"
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

// MetadataFile is the name of the file that describes a checkpoint or snapshot directory.
const MetadataFile = "_metadata"

// Runtime runs jobs.
type Runtime interface {
	// Start launches a job and returns once it is STARTING (after a restore source was read and verified).
	// RUNNING and later statuses, and every checkpoint, arrive through Events.
	Start(ctx context.Context, spec JobSpec) error
	// Stop ends a job. With StopWithSavepoint, target receives a self-contained savepoint written before
	// the job ends; the result describes it. The job ends CANCELLED (NONE, STOP_WITH_SAVEPOINT) or
	// FINISHED (STOP_WITH_DRAIN), reported through Events before Stop returns.
	Stop(ctx context.Context, jobID, strategy string, target *SavepointTarget) (*SavepointResult, error)
	// Savepoint writes a self-contained savepoint of a running job under target.Prefix.
	Savepoint(ctx context.Context, jobID string, target SavepointTarget) (SavepointResult, error)
	// Close stops every job without reporting a status change (the engine is shutting down; the jobs
	// stay RUNNING in the records and resume on the next start).
	Close() error
}

// JobSpec is everything a runtime needs to run one job.
type JobSpec struct {
	JobID        string
	DeploymentID string
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
	SizeBytes   int64
	Offset      int64
	Fingerprint string
	Duration    time.Duration
}

// JobStatus is a job's status change.
type JobStatus struct {
	Status      string // api.Job* constants
	Failure     string
	StartOffset int64 // set with RUNNING: the offset the job continues from
}

// CheckpointInfo describes one checkpoint attempt.
type CheckpointInfo struct {
	Seq           int64
	Prefix        string // the chk-<seq>/ directory, holding MetadataFile
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
	CheckpointCompleted(jobID string, cp CheckpointInfo)
	CheckpointFailed(jobID string, cp CheckpointInfo)
	// CheckpointDiscarded reports a completed checkpoint removed because more than Retained are kept.
	CheckpointDiscarded(jobID string, seq int64)
}
