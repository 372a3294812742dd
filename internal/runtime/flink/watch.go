package flink

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/runtime"
)

// stateTable maps Flink's job states to the engine's. A state missing here (FAILING) is a passage to a
// terminal state, reported when it is reached. RESTARTING and SUSPENDED report STARTING with a message.
var stateTable = map[string]string{
	flinkInitializing: api.JobStarting,
	flinkCreated:      api.JobStarting,
	flinkReconciling:  api.JobStarting,
	flinkRestarting:   api.JobStarting,
	flinkSuspended:    api.JobStarting,
	flinkRunning:      api.JobRunning,
	flinkCancelling:   api.JobCancelling,
	flinkCanceled:     api.JobCancelled,
	flinkFailed:       api.JobFailed,
	flinkFinished:     api.JobFinished,
}

func terminal(flinkState string) bool {
	return flinkState == flinkCanceled || flinkState == flinkFailed || flinkState == flinkFinished
}

// missingTicks is how many overviews in a row must lack a job before it counts as lost.
const missingTicks = 3

// watcher is the one goroutine that polls Flink for every watched job: GET /jobs/overview once per tick
// for all of them, GET /jobs/{id}/checkpoints for the running ones. Stop and Start observe jobs through it
// too, so every report for one job goes through one place, in order.
type watcher struct {
	jm         *jobManager
	log        *slog.Logger
	interval   time.Duration
	maxBackoff time.Duration

	mu   sync.Mutex
	jobs map[string]*watchedJob // by engine job id

	wake   chan struct{}
	stop   chan struct{}
	done   chan struct{}
	closed sync.Once

	// Owned by the loop goroutine.
	downSince time.Time
	downMsg   string
}

// watchedJob is what the watcher knows about one job. mu serialises observations (and so reports).
type watchedJob struct {
	mu        sync.Mutex
	spec      runtime.JobSpec
	flinkID   string
	recovered bool // adopted: report only the newest retained checkpoints on the first look

	status        string // last reported api status ("" before the first report)
	message       string // last reported message
	flinkState    string
	completed     []int64        // reported completed checkpoints still retained, ascending
	lastCompleted int64          // highest completed checkpoint id reported
	failedSeen    map[int64]bool // failed checkpoints reported, while Flink's history lists them
	finalStatus   string         // reported instead of Flink's terminal status (stop with savepoint: CANCELLED)
	missing       int
	ended         bool
	endedAt       time.Time // when the watcher saw it end; it looks at its checkpoints once more later
	looked        bool      // checkpoints read at least once
	incremental   bool
	nextLook      time.Time // when the checkpoints of a running job are read next
}

// maxCheckpointLook bounds how long a completed checkpoint may wait to be reported.
const maxCheckpointLook = 15 * time.Second

// checkpointLookEvery is how often a running job's checkpoints are read: a quarter of its checkpoint
// interval, at least every tick and at most every maxCheckpointLook. Reading them every tick for a job
// that checkpoints every 3 minutes would cost 50 jobs 50 requests a second for nothing.
func (w *watcher) checkpointLookEvery(j *watchedJob) time.Duration {
	return min(max(j.spec.Checkpoint.Interval/4, w.interval), maxCheckpointLook)
}

func newWatcher(jm *jobManager, log *slog.Logger, interval, maxBackoff time.Duration) *watcher {
	return &watcher{jm: jm, log: log, interval: interval, maxBackoff: maxBackoff, jobs: map[string]*watchedJob{},
		wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
}

// add watches a job (again: a second add for one engine job replaces the first).
func (w *watcher) add(spec runtime.JobSpec, flinkID string, recovered bool) {
	cfg := effectiveConfig(spec, flinkID)
	inc, _ := parseBoolLoose(cfg[keyIncremental])
	j := &watchedJob{spec: spec, flinkID: flinkID, recovered: recovered, failedSeen: map[int64]bool{}, incremental: inc}
	w.mu.Lock()
	w.jobs[spec.JobID] = j
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

func (w *watcher) get(jobID string) *watchedJob {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.jobs[jobID]
}

func (w *watcher) remove(j *watchedJob) {
	w.mu.Lock()
	if w.jobs[j.spec.JobID] == j {
		delete(w.jobs, j.spec.JobID)
	}
	w.mu.Unlock()
}

func (w *watcher) snapshot() []*watchedJob {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]*watchedJob, 0, len(w.jobs))
	for _, j := range w.jobs {
		out = append(out, j)
	}
	return out
}

func (w *watcher) close() {
	w.closed.Do(func() { close(w.stop) })
	<-w.done
}

// run polls every interval; while Flink is unreachable it retries with doubling intervals up to
// maxBackoff, telling every job's status so, and clears the message when Flink answers again.
func (w *watcher) run() {
	defer close(w.done)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { <-w.stop; cancel() }()
	delay := w.interval
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-w.stop:
			return
		case <-w.wake:
			if !timer.Stop() {
				select {
				case <-timer.C:
				default:
				}
			}
		case <-timer.C:
		}
		if err := w.tick(ctx); err != nil {
			if ctx.Err() != nil {
				return
			}
			if w.downSince.IsZero() {
				w.downSince = time.Now()
			}
			w.reportDown(err)
			delay = min(delay*2, w.maxBackoff)
		} else {
			if !w.downSince.IsZero() {
				w.downSince, w.downMsg = time.Time{}, ""
				w.log.Info("Flink REST reachable again", "url", w.jm.rest.base)
			}
			delay = w.interval
		}
		timer.Reset(delay)
	}
}

// reportDown tells every watched job that Flink cannot be reached (once per outage and job).
func (w *watcher) reportDown(err error) {
	msg := fmt.Sprintf("Flink REST %s unreachable since %s: %v; retrying", w.jm.rest.base, w.downSince.UTC().Format(time.RFC3339), err)
	if w.downMsg == "" {
		w.log.Warn("Flink REST unreachable", "url", w.jm.rest.base, "err", err)
	}
	w.downMsg = msg
	for _, j := range w.snapshot() {
		j.mu.Lock()
		if !j.ended && j.message == "" {
			status := j.status
			if status == "" {
				status = api.JobStarting
			}
			j.report(runtime.JobStatus{Status: status, Message: msg})
		}
		j.mu.Unlock()
	}
}

// tick reads the overview and observes every watched job.
func (w *watcher) tick(ctx context.Context) error {
	jobs := w.snapshot()
	if len(jobs) == 0 {
		return nil
	}
	ov, err := w.jm.overview(ctx)
	if err != nil {
		return err
	}
	details := make(map[string]jobDetails, len(ov.Jobs))
	for _, d := range ov.Jobs {
		details[d.JID] = d
	}
	for _, j := range jobs {
		d, ok := details[j.flinkID]
		j.mu.Lock()
		if ok {
			j.missing = 0
			err = w.observe(ctx, j, d)
		} else if j.missing++; j.missing >= missingTicks && !j.ended {
			j.ended = true
			j.report(runtime.JobStatus{Status: api.JobFailed, Failure: fmt.Sprintf(
				"the Flink cluster at %s no longer has job %s (the cluster restarted without high availability, or the job was removed)", w.jm.rest.base, j.flinkID)})
		}
		done := w.lingered(ctx, j)
		j.mu.Unlock()
		if done {
			w.remove(j)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// finalLookDelay is how long an ended job stays watched: Flink's REST API serves checkpoint statistics
// from a cache (rest.cache.checkpoint-statistics.timeout, 3 s by default), so the checkpoint a job
// completed just before it ended — the one Flink retains — shows only a while after the end.
const finalLookDelay = 4 * time.Second

// lingered tells whether an ended job can be forgotten: once finalLookDelay has passed since its end,
// its checkpoints are read a last time. Called with j.mu held.
func (w *watcher) lingered(ctx context.Context, j *watchedJob) bool {
	if !j.ended {
		return false
	}
	if j.endedAt.IsZero() {
		j.endedAt = time.Now()
	}
	if time.Since(j.endedAt) < finalLookDelay {
		return false
	}
	if err := w.checkpoints(ctx, j); err != nil && !isStatus(err, http.StatusNotFound) {
		w.log.Warn("last look at the checkpoints of an ended job", "job", j.spec.JobID, "flink_job", j.flinkID, "err", err)
	}
	return true
}

// observe reports what changed for one job, as the overview describes it. A RUNNING job whose subtasks
// are not all running yet is still STARTING. Called with j.mu held.
func (w *watcher) observe(ctx context.Context, j *watchedJob, d jobDetails) error {
	if j.ended {
		return nil
	}
	state := d.State
	due := state == flinkRunning && !time.Now().Before(j.nextLook)
	if due || terminal(state) || (!j.looked && state != flinkInitializing && state != flinkCreated) {
		// A final look at the checkpoints of a job that ended, so the last ones are reported before its end.
		if err := w.checkpoints(ctx, j); err != nil && !terminal(state) {
			return err
		}
		j.nextLook = time.Now().Add(w.checkpointLookEvery(j))
	}
	status, ok := stateTable[state]
	if !ok {
		j.flinkState = state
		return nil
	}
	next := runtime.JobStatus{Status: status}
	if state == flinkRunning && !d.allTasksRunning() {
		next.Status = api.JobStarting
	}
	switch {
	case state == flinkFailed:
		if j.finalStatus != "" {
			// A stop was under way; the job failed instead.
			j.finalStatus = ""
		}
		next.Failure = rootCause(w.failureTrace(ctx, j.flinkID))
	case terminal(state) && j.finalStatus != "":
		next.Status = j.finalStatus
	case state == flinkRestarting && j.flinkState != flinkRestarting:
		next.Message = "Flink is restarting the job after a failure: " + rootCause(w.failureTrace(ctx, j.flinkID))
	case state == flinkRestarting:
		next.Message = j.message
	case state == flinkSuspended:
		next.Message = "Flink suspended the job (the JobManager lost leadership); it resumes when a JobManager takes over"
	}
	j.flinkState = state
	if next.Status != j.status || next.Message != j.message || next.Failure != "" {
		j.report(next)
	}
	if terminal(state) {
		j.ended = true
	}
	return nil
}

func (w *watcher) failureTrace(ctx context.Context, flinkID string) string {
	ex, err := w.jm.exceptions(ctx, flinkID)
	if err != nil {
		return "the failure could not be read from Flink: " + err.Error()
	}
	if len(ex.ExceptionHistory.Entries) > 0 {
		if e := ex.ExceptionHistory.Entries[0]; e.Stacktrace != "" {
			return e.Stacktrace
		} else if e.ExceptionName != "" {
			return e.ExceptionName
		}
	}
	if ex.RootException != "" {
		return ex.RootException
	}
	return "Flink recorded no exception for the job"
}

// report sends a status and remembers it. Called with j.mu held.
func (j *watchedJob) report(s runtime.JobStatus) {
	j.status, j.message = s.Status, s.Message
	j.spec.Events.JobStatusChanged(j.spec.JobID, s)
}

// checkpoints reports completed and failed checkpoints Flink lists that were not reported yet, and the
// completed ones that fall out of the retained count. Called with j.mu held.
func (w *watcher) checkpoints(ctx context.Context, j *watchedJob) error {
	stats, err := w.jm.checkpoints(ctx, j.flinkID)
	if err != nil {
		return err
	}
	history := append([]checkpointStatistics(nil), stats.History...)
	sort.Slice(history, func(a, b int) bool { return history[a].ID < history[b].ID })
	if j.recovered && !j.looked {
		// An adopted job: what the engine recorded before is unknown, so report only the checkpoints Flink
		// still retains (the newest Retained completed ones) and no failure older than them.
		var keep []int64
		for _, c := range history {
			if !c.IsSavepoint && c.Status == checkpointCompleted && !c.Discarded {
				keep = append(keep, c.ID)
			}
		}
		if n := len(keep) - max(j.spec.Checkpoint.Retained, 1); n > 0 {
			j.lastCompleted = keep[n-1]
		}
		for _, c := range history {
			if c.Status == checkpointFailed && c.ID < j.lastCompleted {
				j.failedSeen[c.ID] = true
			}
		}
	}
	j.looked = true
	inHistory := make(map[int64]bool, len(history))
	for _, c := range history {
		inHistory[c.ID] = true
		if c.IsSavepoint {
			continue
		}
		switch c.Status {
		case checkpointCompleted:
			if c.ID <= j.lastCompleted {
				continue
			}
			info, err := w.checkpointInfo(j, c)
			if err != nil {
				w.log.Warn("checkpoint outside the job's storage", "job", j.spec.JobID, "checkpoint", c.ID, "err", err)
				continue
			}
			j.lastCompleted = c.ID
			j.completed = append(j.completed, c.ID)
			j.spec.Events.CheckpointCompleted(j.spec.JobID, info)
		case checkpointFailed:
			if j.failedSeen[c.ID] {
				continue
			}
			j.failedSeen[c.ID] = true
			j.spec.Events.CheckpointFailed(j.spec.JobID, runtime.CheckpointInfo{Seq: c.ID, Incremental: j.incremental,
				StartedAt: msTime(c.TriggerTimestamp), CompletedAt: msTime(c.FailureTimestamp), Failure: c.FailureMessage})
		}
	}
	// Flink deletes a completed checkpoint once Retained newer ones exist.
	for retained := max(j.spec.Checkpoint.Retained, 1); len(j.completed) > retained; {
		seq := j.completed[0]
		j.completed = j.completed[1:]
		j.spec.Events.CheckpointDiscarded(j.spec.JobID, seq)
	}
	// A failure that left Flink's history cannot come back.
	for id := range j.failedSeen {
		if !inHistory[id] {
			delete(j.failedSeen, id)
		}
	}
	return nil
}

func (w *watcher) checkpointInfo(j *watchedJob, c checkpointStatistics) (runtime.CheckpointInfo, error) {
	key, err := keyFor(j.spec.Storage, c.ExternalPath)
	if err != nil {
		return runtime.CheckpointInfo{}, err
	}
	started := msTime(c.TriggerTimestamp)
	completed := msTime(c.LatestAckTimestamp)
	if c.EndToEndDuration > 0 {
		completed = started.Add(time.Duration(c.EndToEndDuration) * time.Millisecond)
	}
	return runtime.CheckpointInfo{Seq: c.ID, Prefix: key, Incremental: j.incremental, SizeBytes: c.CheckpointedSize,
		FullSizeBytes: c.StateSize, StartedAt: started, CompletedAt: completed}, nil
}

func msTime(ms int64) time.Time {
	if ms <= 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// refresh observes one job right now (Stop uses it to report the end before returning).
func (w *watcher) refresh(ctx context.Context, j *watchedJob) (state string, err error) {
	job, err := w.jm.job(ctx, j.flinkID)
	if err != nil {
		return "", err
	}
	d := jobDetails{JID: job.JID, State: job.State}
	if !terminal(job.State) {
		// The subtask counts are in the overview only.
		if ov, err := w.jm.overview(ctx); err == nil {
			for _, o := range ov.Jobs {
				if o.JID == j.flinkID {
					d = o
				}
			}
		}
	}
	j.mu.Lock()
	err = w.observe(ctx, j, d)
	if j.ended && j.endedAt.IsZero() {
		j.endedAt = time.Now() // the watcher's ticks take the last look and forget it
	}
	j.mu.Unlock()
	return job.State, err
}
