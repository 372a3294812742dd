package engine

import (
	"container/heap"
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/store"
)

// schedulerMaxSleep bounds one wait of the scheduler, so a wall-clock jump (NTP, a suspended VM) delays a
// fire by at most this much. Each wake-up looks at the heap's top only, not at every policy.
const schedulerMaxSleep = time.Minute

// cleanupRetryDelay is when cleanup looks again at an expired snapshot it could not delete (in use).
const cleanupRetryDelay = time.Minute

// scheduler fires snapshot policies and runs their cleanup. Every deployment with a policy and a RUNNING
// job has one entry in a min-heap keyed by its next due time (next cron fire or next max-age expiry);
// one timer sleeps until the earliest. Policy changes, job status changes and completed AUTO_TRIGGERED
// snapshots mark their deployment dirty; the loop re-reads it and re-arms.
type scheduler struct {
	e *Engine

	mu    sync.Mutex
	dirty map[string]bool
	kick  chan struct{}      // capacity 1: "dirty has entries"
	wakes chan chan struct{} // WakeScheduler's requests; closed when that pass is done

	// Owned by the loop goroutine.
	queue dueQueue
	byDep map[string]*dueEntry
}

type dueEntry struct {
	depID string
	due   time.Time
	index int
}

type dueQueue []*dueEntry

func (q dueQueue) Len() int           { return len(q) }
func (q dueQueue) Less(i, j int) bool { return q[i].due.Before(q[j].due) }
func (q dueQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i]; q[i].index = i; q[j].index = j }
func (q *dueQueue) Push(x any)        { e := x.(*dueEntry); e.index = len(*q); *q = append(*q, e) }
func (q *dueQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*q = old[:len(old)-1]
	return e
}

// newScheduler wires the scheduler to the engine's job and snapshot events and registers its loop.
func newScheduler(e *Engine) *scheduler {
	s := &scheduler{e: e, dirty: map[string]bool{}, kick: make(chan struct{}, 1), wakes: make(chan chan struct{}),
		byDep: map[string]*dueEntry{}}
	e.jobListeners = append(e.jobListeners, func(j api.Job) { s.touch(j.DeploymentID) })
	e.snapshotListeners = append(e.snapshotListeners, s.snapshotCompleted)
	e.onStart(s.run)
	return s
}

// touch marks a deployment for re-reading by the loop. It never blocks.
func (s *scheduler) touch(depID string) {
	s.mu.Lock()
	s.dirty[depID] = true
	s.mu.Unlock()
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// snapshotCompleted runs cleanup after an AUTO_TRIGGERED snapshot completes (a manual one changes nothing
// cleanup decides).
func (s *scheduler) snapshotCompleted(id string) {
	var snap api.Snapshot
	err := s.e.store.View(s.e.ctx, func(tx store.Tx) error { return tx.Get(store.Snapshots, id, &snap) })
	if err == nil && snap.Origin == api.OriginAutoTriggered {
		s.touch(snap.DeploymentID)
	}
}

// WakeScheduler runs the scheduler's pending work against the engine's clock now and returns once that
// pass is done (every due fire recorded, every due cleanup finished). Tests that drive a fake clock call
// it after moving the clock; in production the scheduler's own timer does this.
func (e *Engine) WakeScheduler() {
	if e.leases != nil {
		// Policies may have changed through another replica: re-read the deployments watched here.
		e.jobLeases.Range(func(id, _ any) bool {
			if job, err := e.readJob(e.ctx, id.(string)); err == nil {
				e.sched.touch(job.DeploymentID)
			}
			return true
		})
	}
	done := make(chan struct{})
	select {
	case e.sched.wakes <- done:
	case <-e.ctx.Done():
		return
	}
	select {
	case <-done:
	case <-e.ctx.Done():
	}
}

func (s *scheduler) run(ctx context.Context) {
	if err := s.markAll(ctx); err != nil {
		s.e.log.Error("scheduler: load snapshot policies", "err", err)
	}
	timer := time.NewTimer(schedulerMaxSleep)
	defer timer.Stop()
	s.pass(ctx)
	for {
		timer.Reset(s.sleep())
		var done chan struct{}
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case <-s.kick:
		case done = <-s.wakes:
		}
		s.pass(ctx)
		if done != nil {
			close(done)
		}
	}
}

// sleep is how long the loop may wait before the earliest entry is due.
func (s *scheduler) sleep() time.Duration {
	d := schedulerMaxSleep
	if len(s.queue) > 0 {
		d = min(d, s.queue[0].due.Sub(s.e.now()))
	}
	return max(d, 0)
}

// markAll marks every deployment with a policy dirty (at start: the heap is rebuilt from the store).
func (s *scheduler) markAll(ctx context.Context) error {
	var recs []policyRecord
	if err := s.e.store.View(ctx, func(tx store.Tx) error { return tx.List(store.Policies, store.Query{}, &recs) }); err != nil {
		return err
	}
	s.mu.Lock()
	for _, r := range recs {
		s.dirty[r.DeploymentID] = true
	}
	s.mu.Unlock()
	return nil
}

// pass re-reads the dirty deployments, then handles every entry that is due.
func (s *scheduler) pass(ctx context.Context) {
	s.mu.Lock()
	dirty := s.dirty
	s.dirty = map[string]bool{}
	s.mu.Unlock()
	for depID := range dirty {
		if ctx.Err() != nil {
			return
		}
		s.process(ctx, depID)
	}
	for len(s.queue) > 0 && ctx.Err() == nil && !s.queue[0].due.After(s.e.now()) {
		entry := heap.Pop(&s.queue).(*dueEntry)
		delete(s.byDep, entry.depID)
		s.process(ctx, entry.depID)
	}
}

// process brings one deployment up to date: it fires the schedule when a window is due, applies the
// cleanup rule, and re-arms the deployment's entry (or drops it when it has no policy or no RUNNING job).
func (s *scheduler) process(ctx context.Context, depID string) {
	rec, job, active, err := s.e.policyState(ctx, depID)
	if err != nil {
		s.e.log.Error("scheduler: read policy", "deployment", depID, "err", err)
		s.set(depID, s.e.now().Add(cleanupRetryDelay))
		return
	}
	if active {
		// With replicas, the owner of the job's lease schedules the deployment, fenced by that lease.
		ctx, active = s.e.jobOwned(ctx, job.ID)
	}
	if !active {
		s.set(depID, time.Time{})
		return
	}
	now := s.e.now()
	var nextFire time.Time
	if rec.Schedule.Enabled {
		sched, err := parseSchedule(rec.Schedule, "schedule.cron", "schedule.time_zone")
		if err != nil {
			s.e.log.Error("scheduler: stored schedule is invalid", "deployment", depID, "err", err)
		} else {
			nextFire = firstWindow(sched, rec, job)
			if !nextFire.IsZero() && !nextFire.After(now) {
				s.e.obs.ScheduleFired(now.Sub(nextFire))
				fired := s.e.fireSchedule(ctx, rec, nextFire, now)
				nextFire = sched.firstFire(fired, &fired)
			}
		}
	}
	due := nextFire
	if rec.Cleanup.Enabled {
		expiry, err := s.e.applyCleanup(ctx, depID, rec.Cleanup)
		if err != nil {
			s.e.log.Error("scheduler: snapshot cleanup", "deployment", depID, "err", err)
			expiry = now.Add(cleanupRetryDelay)
		}
		if !expiry.IsZero() && (due.IsZero() || expiry.Before(due)) {
			due = expiry
		}
	}
	s.set(depID, due)
}

// firstWindow is the first cron window the job has not had: after the schedule was set, after the job
// started, and at least 10 minutes after the last fire. Windows missed while the engine was down collapse
// into this one, so they fire at most once.
func firstWindow(sched compiledSchedule, rec policyRecord, job api.Job) time.Time {
	from := rec.ScheduleSince
	if job.StartedAt.After(from) {
		from = job.StartedAt
	}
	return sched.firstFire(from.Add(time.Nanosecond), rec.LastFiredAt)
}

// set moves a deployment's entry to due; a zero due removes it.
func (s *scheduler) set(depID string, due time.Time) {
	entry, ok := s.byDep[depID]
	switch {
	case due.IsZero() && ok:
		heap.Remove(&s.queue, entry.index)
		delete(s.byDep, depID)
	case due.IsZero():
	case ok:
		entry.due = due
		heap.Fix(&s.queue, entry.index)
	default:
		entry = &dueEntry{depID: depID, due: due}
		heap.Push(&s.queue, entry)
		s.byDep[depID] = entry
	}
}

// policyState reads a deployment's policy and latest job; active means both exist and the job is RUNNING.
func (e *Engine) policyState(ctx context.Context, depID string) (rec policyRecord, job api.Job, active bool, err error) {
	err = e.store.View(ctx, func(tx store.Tx) error {
		var hasPolicy, hasJob bool
		if rec, hasPolicy, err = loadPolicy(tx, depID); err != nil || !hasPolicy {
			return err
		}
		if job, hasJob, err = latestJob(tx, depID); err != nil {
			return err
		}
		active = hasJob && job.Status == api.JobRunning
		return nil
	})
	return rec, job, active, err
}

// fireSchedule records the fire on the policy first, then creates the AUTO_TRIGGERED snapshot: a crash
// in between loses one snapshot rather than ever taking two for one window. It returns the fire time
// recorded: the window itself, or (when the window is more than a minute late, e.g. after downtime) the
// current minute, from which the 10-minute floor counts.
func (e *Engine) fireSchedule(ctx context.Context, rec policyRecord, window, now time.Time) time.Time {
	fired := window
	if now.Sub(window) >= time.Minute {
		fired = now.Truncate(time.Minute)
	}
	stillScheduled := false
	err := e.store.Update(ctx, func(tx store.Tx) error {
		cur, ok, err := loadPolicy(tx, rec.DeploymentID)
		if err != nil || !ok || !cur.Schedule.Enabled {
			return err // deleted or disabled since it was read: nothing to fire
		}
		if cur.LastFiredAt != nil && !cur.LastFiredAt.Before(window) {
			return nil // this window already fired (by this job's previous owner, before a takeover)
		}
		stillScheduled = true
		cur.LastFiredAt = &fired
		return putPolicy(tx, cur)
	})
	if err != nil {
		e.log.Error("scheduler: record fire", "deployment", rec.DeploymentID, "err", err)
	}
	if err != nil || !stillScheduled {
		return fired
	}
	desc := fmt.Sprintf("scheduled by cron %q (%s) for %s", rec.Schedule.Cron, rec.Schedule.TimeZone, window.UTC().Format(time.RFC3339))
	if _, err := e.createSnapshot(ctx, system, rec.DeploymentID, api.SnapshotRequest{Description: desc}, api.OriginAutoTriggered); err != nil {
		e.log.Warn("scheduler: scheduled snapshot not taken", "deployment", rec.DeploymentID, "err", err)
	}
	return fired
}
