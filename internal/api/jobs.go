package api

import "time"

// Job statuses, as in the Ververica Platform API.
const (
	JobStarting   = "STARTING"
	JobRunning    = "RUNNING"
	JobCancelling = "CANCELLING"
	JobCancelled  = "CANCELLED"
	JobFailed     = "FAILED"
	JobFinished   = "FINISHED"
)

// Restore strategies of a start.
const (
	RestoreNone            = "NONE"
	RestoreLatestState     = "LATEST_STATE"
	RestoreLatestSavepoint = "LATEST_SAVEPOINT"
	RestoreFromSavepoint   = "FROM_SAVEPOINT"
	RestoreFromCheckpoint  = "FROM_CHECKPOINT"
)

// Stop strategies.
const (
	StopNone              = "NONE"
	StopWithSavepoint     = "STOP_WITH_SAVEPOINT"
	StopWithDrain         = "STOP_WITH_DRAIN"
	DefaultStopStrategy   = StopNone
	DefaultRestoreOnStart = RestoreLatestState
)

// Job is one run of a deployment.
type Job struct {
	ID           string `json:"id"`
	DeploymentID string `json:"deployment_id"`
	NamespaceID  string `json:"namespace_id"`
	Status       string `json:"status"`
	Failure      string `json:"failure,omitempty"`
	// RestoredFrom names the snapshot or checkpoint the job started from, if any.
	RestoredFrom    string `json:"restored_from,omitempty"`
	RestoreStrategy string `json:"restore_strategy"`
	// FlinkJobID is the job's id on the Flink cluster (flink runtime only).
	FlinkJobID string `json:"flink_job_id,omitempty"`
	// StatusMessage says what the engine currently knows beyond the status, e.g. that the cluster is
	// unreachable and the engine retries.
	StatusMessage    string     `json:"status_message,omitempty"`
	StartOffset      int64      `json:"start_offset"`
	StateFingerprint string     `json:"state_fingerprint,omitempty"`
	StartedAt        time.Time  `json:"started_at"`
	EndedAt          *time.Time `json:"ended_at,omitempty"`
}

// StartRequest starts a stopped deployment (POST /deployments/{id}/start).
type StartRequest struct {
	RestoreStrategy       string `json:"restore_strategy,omitempty"` // default LATEST_STATE
	SnapshotID            string `json:"snapshot_id,omitempty"`      // with FROM_SAVEPOINT
	CheckpointID          string `json:"checkpoint_id,omitempty"`    // with FROM_CHECKPOINT
	AllowNonRestoredState bool   `json:"allow_non_restored_state,omitempty"`
}

// StopRequest stops a running deployment (POST /deployments/{id}/stop).
type StopRequest struct {
	Strategy string `json:"strategy,omitempty"` // default NONE
}

// Checkpoint statuses.
const (
	CheckpointInProgress = "IN_PROGRESS"
	CheckpointCompleted  = "COMPLETED"
	CheckpointFailed     = "FAILED"
)

// Checkpoint is a system checkpoint: read-only through the API.
type Checkpoint struct {
	ID           string `json:"id"`
	DeploymentID string `json:"deployment_id"`
	JobID        string `json:"job_id"`
	Sequence     int64  `json:"sequence"`
	Status       string `json:"status"`
	Failure      string `json:"failure,omitempty"`
	Location     string `json:"location,omitempty"`
	// StatePath is the key of the checkpoint directory in its namespace's storage.
	StatePath    string     `json:"state_path,omitempty"`
	Incremental  bool       `json:"incremental"`
	SizeBytes    int64      `json:"size_bytes"`      // bytes this checkpoint wrote
	FullSizeByte int64      `json:"full_size_bytes"` // bytes it references, shared files included
	Offset       int64      `json:"offset"`
	DurationMS   int64      `json:"duration_ms"`
	StartedAt    time.Time  `json:"started_at"`
	CompletedAt  *time.Time `json:"completed_at,omitempty"`
}

// Snapshot formats, origins and statuses.
const (
	FormatCanonical = "CANONICAL"
	FormatNative    = "NATIVE"

	OriginUserRequest        = "USER_REQUEST"
	OriginAutoTriggered      = "AUTO_TRIGGERED"
	OriginStopWithSavepoint  = "STOP_WITH_SAVEPOINT"
	OriginRetainedCheckpoint = "RETAINED_CHECKPOINT"
	OriginCopied             = "COPIED"

	SnapshotStarted        = "STARTED"
	SnapshotCompleted      = "COMPLETED"
	SnapshotFailed         = "FAILED"
	SnapshotDeleting       = "DELETING"
	SnapshotFailedDeletion = "FAILED_DELETION"
)

// Snapshot is a job snapshot (a savepoint): user-managed state, self-contained in its Location.
type Snapshot struct {
	ID           string `json:"id"`
	NamespaceID  string `json:"namespace_id"`
	DeploymentID string `json:"deployment_id"`
	JobID        string `json:"job_id,omitempty"`
	Format       string `json:"format"`
	Description  string `json:"description,omitempty"`
	Origin       string `json:"origin"`
	Status       string `json:"status"`
	Failure      string `json:"failure,omitempty"`
	Location     string `json:"location,omitempty"`
	// StatePath is the key of the directory holding the snapshot's _metadata in its namespace's storage
	// (empty for records written before it existed: the snapshot's own directory).
	StatePath        string     `json:"state_path,omitempty"`
	SizeBytes        int64      `json:"size_bytes"`
	Offset           int64      `json:"offset"`
	StateFingerprint string     `json:"state_fingerprint,omitempty"`
	EngineVersion    string     `json:"engine_version,omitempty"`
	DurationMS       int64      `json:"duration_ms"`
	CreatedAt        time.Time  `json:"created_at"`
	CompletedAt      *time.Time `json:"completed_at,omitempty"`
}

// SnapshotRequest creates a snapshot of a RUNNING job (POST /deployments/{id}/snapshots).
type SnapshotRequest struct {
	Format      string `json:"format,omitempty"` // default CANONICAL
	Description string `json:"description,omitempty"`
}

// StateOverview is the state-set overview of a deployment.
type StateOverview struct {
	DeploymentID             string          `json:"deployment_id"`
	LastCheckpoint           *CheckpointMark `json:"last_checkpoint,omitempty"`
	LastFailedCheckpoint     *CheckpointMark `json:"last_failed_checkpoint,omitempty"`
	LastSnapshot             *SnapshotMark   `json:"last_snapshot,omitempty"`
	LastFailedSnapshot       *SnapshotMark   `json:"last_failed_snapshot,omitempty"`
	CheckpointCount          int             `json:"checkpoint_count"`
	SnapshotCount            int             `json:"snapshot_count"`
	RetainedCheckpointsBytes int64           `json:"retained_checkpoints_bytes"`
}

// CheckpointMark summarises one checkpoint in the overview.
type CheckpointMark struct {
	ID            string    `json:"id"`
	Time          time.Time `json:"time"` // completion or failure time
	DurationMS    int64     `json:"duration_ms"`
	FullSizeBytes int64     `json:"full_size_bytes"`
	Failure       string    `json:"failure,omitempty"`
}

// SnapshotMark summarises one snapshot in the overview.
type SnapshotMark struct {
	ID         string    `json:"id"`
	Time       time.Time `json:"time"` // completion or failure time
	DurationMS int64     `json:"duration_ms"`
	Failure    string    `json:"failure,omitempty"`
}

// SnapshotPolicy is a deployment's schedule and cleanup rule (PUT/GET /deployments/{id}/snapshot-policy).
type SnapshotPolicy struct {
	DeploymentID  string      `json:"deployment_id"`
	Schedule      Schedule    `json:"schedule"`
	Cleanup       Cleanup     `json:"cleanup"`
	LastFiredAt   *time.Time  `json:"last_fired_at,omitempty"`
	NextFireTimes []time.Time `json:"next_fire_times,omitempty"`
	Warnings      []string    `json:"warnings,omitempty"`
	Version       int64       `json:"version"`
	UpdatedAt     time.Time   `json:"updated_at"`
	// CreateOnly (request only) refuses the PUT with already_exists when the deployment has a policy:
	// a Terraform create must not take over a policy another resource manages.
	CreateOnly bool `json:"create_only,omitempty"`
}

// Schedule creates AUTO_TRIGGERED snapshots at cron times (the product's 5-field dialect) in TimeZone
// (IANA, default UTC) while the job runs.
type Schedule struct {
	Enabled  bool   `json:"enabled"`
	Cron     string `json:"cron,omitempty"`
	TimeZone string `json:"time_zone,omitempty"`
}

// Cleanup deletes AUTO_TRIGGERED snapshots beyond KeepCount or older than MaxAge; the newest completed
// snapshot is always kept.
type Cleanup struct {
	Enabled   bool     `json:"enabled"`
	KeepCount int      `json:"keep_count,omitempty"`
	MaxAge    Duration `json:"max_age,omitzero"`
}

// CronRequest asks for the next fire times of a schedule (POST /cron/validate).
type CronRequest struct {
	Cron     string    `json:"cron"`
	TimeZone string    `json:"time_zone,omitempty"`
	After    time.Time `json:"after,omitempty"` // default now
	Count    int       `json:"count,omitempty"` // default 5
}

// CronResponse lists fire times (the 10-minute floor applied) and warnings.
type CronResponse struct {
	NextFireTimes []time.Time `json:"next_fire_times"`
	Warnings      []string    `json:"warnings,omitempty"`
}
