package flink

// Wire types of the JobManager REST API, named after Flink's own message classes (field names checked
// against Flink 1.20 and 2.x; where they differ the comment says so). Only the fields the runtime reads.

// Flink's job states (org.apache.flink.api.common.JobStatus).
const (
	flinkInitializing = "INITIALIZING"
	flinkCreated      = "CREATED"
	flinkRunning      = "RUNNING"
	flinkFailing      = "FAILING"
	flinkFailed       = "FAILED"
	flinkCancelling   = "CANCELLING"
	flinkCanceled     = "CANCELED"
	flinkFinished     = "FINISHED"
	flinkRestarting   = "RESTARTING"
	flinkSuspended    = "SUSPENDED"
	flinkReconciling  = "RECONCILING"
)

// errorResponse is Flink's ErrorResponseBody: {"errors": ["message", "stack trace"...]}.
type errorResponse struct {
	Errors []string `json:"errors"`
}

// dashboardConfig is GET /config (DashboardConfiguration).
type dashboardConfig struct {
	FlinkVersion  string `json:"flink-version"`
	FlinkRevision string `json:"flink-revision"`
}

// jobsOverview is GET /jobs/overview (MultipleJobsDetails).
type jobsOverview struct {
	Jobs []jobDetails `json:"jobs"`
}

// jobDetails is one entry of MultipleJobsDetails (JobDetails).
type jobDetails struct {
	JID              string `json:"jid"`
	Name             string `json:"name"`
	State            string `json:"state"`
	StartTime        int64  `json:"start-time"`
	EndTime          int64  `json:"end-time"`
	LastModification int64  `json:"last-modification"`
	// Tasks counts subtasks by execution state ("running", "finished", ...) and holds "total".
	Tasks map[string]int `json:"tasks"`
}

// allTasksRunning reports whether every subtask runs (or has finished, for a bounded source): before
// that, Flink refuses savepoints with "Not all required tasks are currently running".
func (d jobDetails) allTasksRunning() bool {
	total, ok := d.Tasks["total"]
	if !ok {
		return true // an answer without counts: trust the job state
	}
	return total > 0 && d.Tasks["running"]+d.Tasks["finished"] == total
}

// jobDetailsInfo is GET /jobs/{id} (JobDetailsInfo).
type jobDetailsInfo struct {
	JID       string `json:"jid"`
	Name      string `json:"name"`
	State     string `json:"state"`
	StartTime int64  `json:"start-time"`
	EndTime   int64  `json:"end-time"`
}

// jobExceptions is GET /jobs/{id}/exceptions (JobExceptionsInfoWithHistory). Flink 1.20 also sends the
// deprecated "root-exception"; 2.x sends only the history, so the history is what is read.
type jobExceptions struct {
	RootException    string `json:"root-exception"`
	ExceptionHistory struct {
		Entries []exceptionInfo `json:"entries"`
	} `json:"exceptionHistory"`
}

type exceptionInfo struct {
	ExceptionName string `json:"exceptionName"`
	Stacktrace    string `json:"stacktrace"`
	Timestamp     int64  `json:"timestamp"`
}

// checkpointingStatistics is GET /jobs/{id}/checkpoints (CheckpointingStatistics).
type checkpointingStatistics struct {
	Counts struct {
		Restored   int64 `json:"restored"`
		Total      int64 `json:"total"`
		InProgress int64 `json:"in_progress"`
		Completed  int64 `json:"completed"`
		Failed     int64 `json:"failed"`
	} `json:"counts"`
	Latest struct {
		Completed *checkpointStatistics `json:"completed"`
		Savepoint *checkpointStatistics `json:"savepoint"`
		Failed    *checkpointStatistics `json:"failed"`
		Restored  *struct {
			ID           int64  `json:"id"`
			ExternalPath string `json:"external_path"`
			IsSavepoint  bool   `json:"is_savepoint"`
		} `json:"restored"`
	} `json:"latest"`
	History []checkpointStatistics `json:"history"`
}

// Checkpoint states (CheckpointStatsStatus).
const (
	checkpointInProgress = "IN_PROGRESS"
	checkpointCompleted  = "COMPLETED"
	checkpointFailed     = "FAILED"
)

// checkpointStatistics is one checkpoint (CheckpointStatistics and its Completed/Failed subtypes).
type checkpointStatistics struct {
	ID                 int64  `json:"id"`
	Status             string `json:"status"`
	IsSavepoint        bool   `json:"is_savepoint"`
	SavepointFormat    string `json:"savepointFormat"`
	TriggerTimestamp   int64  `json:"trigger_timestamp"`
	LatestAckTimestamp int64  `json:"latest_ack_timestamp"`
	CheckpointedSize   int64  `json:"checkpointed_size"`
	StateSize          int64  `json:"state_size"`
	EndToEndDuration   int64  `json:"end_to_end_duration"`
	CheckpointType     string `json:"checkpoint_type"`
	ExternalPath       string `json:"external_path"`
	Discarded          bool   `json:"discarded"`
	FailureTimestamp   int64  `json:"failure_timestamp"`
	FailureMessage     string `json:"failure_message"`
}

// savepointTriggerRequest is POST /jobs/{id}/savepoints (SavepointTriggerRequestBody).
type savepointTriggerRequest struct {
	TargetDirectory string `json:"target-directory,omitempty"`
	CancelJob       bool   `json:"cancel-job"`
	FormatType      string `json:"formatType,omitempty"`
	TriggerID       string `json:"triggerId,omitempty"`
}

// stopWithSavepointRequest is POST /jobs/{id}/stop (StopWithSavepointRequestBody).
type stopWithSavepointRequest struct {
	TargetDirectory string `json:"targetDirectory,omitempty"`
	Drain           bool   `json:"drain"`
	FormatType      string `json:"formatType,omitempty"`
	TriggerID       string `json:"triggerId,omitempty"`
}

// triggerResponse is the answer to an asynchronous operation (TriggerResponse).
type triggerResponse struct {
	RequestID string `json:"request-id"`
}

// savepointStatus is GET /jobs/{id}/savepoints/{triggerId} (AsynchronousOperationResult<SavepointInfo>).
type savepointStatus struct {
	Status struct {
		ID string `json:"id"` // IN_PROGRESS, COMPLETED
	} `json:"status"`
	Operation *struct {
		Location     string `json:"location"`
		FailureCause *struct {
			Class      string `json:"class"`
			StackTrace string `json:"stack-trace"`
		} `json:"failure-cause"`
	} `json:"operation"`
}

// jarUploadResponse is POST /jars/upload (JarUploadResponseBody).
type jarUploadResponse struct {
	Filename string `json:"filename"`
	Status   string `json:"status"`
}

// jarRunRequest is POST /jars/{jarid}/run (JarRunRequestBody). restoreMode is the pre-1.20 name of
// claimMode (1.20 reads both, 2.x only claimMode); flinkConfiguration exists since 1.17.
type jarRunRequest struct {
	EntryClass            string            `json:"entryClass,omitempty"`
	ProgramArgsList       []string          `json:"programArgsList,omitempty"`
	Parallelism           *int              `json:"parallelism,omitempty"`
	JobID                 string            `json:"jobId,omitempty"`
	AllowNonRestoredState *bool             `json:"allowNonRestoredState,omitempty"`
	SavepointPath         string            `json:"savepointPath,omitempty"`
	ClaimMode             string            `json:"claimMode,omitempty"`
	RestoreMode           string            `json:"restoreMode,omitempty"`
	FlinkConfiguration    map[string]string `json:"flinkConfiguration,omitempty"`
}

// jarRunResponse is JarRunResponseBody.
type jarRunResponse struct {
	JobID string `json:"jobid"`
}
