package engine

import (
	"sync"

	"github.com/streamstate/terraform-provider-flink/internal/runtime"
)

// stopHolds keeps back the end of a job that is being stopped with a savepoint until the stop has
// recorded its snapshot. A runtime reports the job's end as soon as it sees it (the local runtime from
// inside Stop, Flink's watcher when Flink lists the job FINISHED), which is before Stop has returned the
// savepoint; recorded at once, the job read CANCELLED while the stop's snapshot still read STARTED, and
// a LATEST_STATE start or a stateful clone in that window went back to older state.
//
// The hold is in memory, in the process that runs the stop: a stop that reaches the job's runtime runs
// where the job's reports arrive. An engine that dies during the stop loses the held report with the
// stop itself: the job is then what the restart's recovery of an active (CANCELLING) job makes of it.
type stopHolds struct {
	mu   sync.Mutex
	jobs map[string]*runtime.JobStatus // job id -> its held end (nil: not reported yet)
}

// begin marks a job as being stopped with a savepoint.
func (h *stopHolds) begin(jobID string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.jobs == nil {
		h.jobs = map[string]*runtime.JobStatus{}
	}
	h.jobs[jobID] = nil
}

// hold keeps s, a job's end, when the job is being stopped; it reports whether it did.
func (h *stopHolds) hold(jobID string, s runtime.JobStatus) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, stopping := h.jobs[jobID]; !stopping {
		return false
	}
	h.jobs[jobID] = &s
	return true
}

// end unmarks a job and returns its held end, if one was reported meanwhile.
func (h *stopHolds) end(jobID string) *runtime.JobStatus {
	h.mu.Lock()
	defer h.mu.Unlock()
	held := h.jobs[jobID]
	delete(h.jobs, jobID)
	return held
}
