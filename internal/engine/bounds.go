package engine

import (
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
)

// Bounds on durations and counts a caller may set. Zero always means "the default" and passes.
//
// The checkpoint interval floor is 50 ms: Flink itself refuses intervals below 10 ms, and the local
// runtime's tests run jobs with sub-second checkpoints; a nanosecond interval only burns disk and CPU.
// The ceilings catch unit mistakes ("3600h" for "3600s") rather than encode a policy.
const (
	MinCheckpointInterval = 50 * time.Millisecond
	MaxCheckpointInterval = 7 * 24 * time.Hour
	MinCheckpointTimeout  = time.Second
	MaxCheckpointTimeout  = 24 * time.Hour
	MaxCheckpointMinPause = 24 * time.Hour
	MaxCheckpointRetained = 100
	MinCleanupMaxAge      = time.Minute
	MaxCleanupMaxAge      = 10 * 365 * 24 * time.Hour
	MaxCleanupKeepCount   = 10000
)

// checkDuration refuses a duration outside [lo, hi]; zero (the default) always passes.
func checkDuration(field string, d api.Duration, lo, hi time.Duration) error {
	v := d.Std()
	switch {
	case v == 0:
		return nil
	case v < 0:
		return invalid(field, "%s must not be negative; leave it unset (0) for the default", v)
	case v < lo:
		return invalid(field, "%s is below the minimum of %s", v, lo)
	case v > hi:
		return invalid(field, "%s is above the maximum of %s", v, hi)
	}
	return nil
}

func checkCheckpointSettings(c api.CheckpointSettings) error {
	for _, f := range []struct {
		field  string
		d      api.Duration
		lo, hi time.Duration
	}{
		{"spec.checkpoint.interval", c.Interval, MinCheckpointInterval, MaxCheckpointInterval},
		{"spec.checkpoint.timeout", c.Timeout, MinCheckpointTimeout, MaxCheckpointTimeout},
		{"spec.checkpoint.min_pause", c.MinPause, time.Millisecond, MaxCheckpointMinPause},
	} {
		if err := checkDuration(f.field, f.d, f.lo, f.hi); err != nil {
			return err
		}
	}
	if c.Retained < 0 || c.Retained > MaxCheckpointRetained {
		return invalid("spec.checkpoint.retained", "%d must be between 1 and %d (0 takes the default, 1)", c.Retained, MaxCheckpointRetained)
	}
	return nil
}

func checkCleanup(c api.Cleanup) error {
	if c.KeepCount > MaxCleanupKeepCount {
		return invalid("cleanup.keep_count", "%d is above the maximum of %d", c.KeepCount, MaxCleanupKeepCount)
	}
	if c.MaxAge.Std() < 0 {
		return invalid("cleanup.max_age", "%s must not be negative; 0 means no age limit", c.MaxAge)
	}
	return checkDuration("cleanup.max_age", c.MaxAge, MinCleanupMaxAge, MaxCleanupMaxAge)
}

// knownJobStatuses are the statuses a deployment can have (its job's, CREATED, or STOPPED after a clone).
var knownJobStatuses = []string{api.StatusCreated, ClonedStatus, api.JobStarting, api.JobRunning, api.JobCancelling,
	api.JobCancelled, api.JobFailed, api.JobFinished}
