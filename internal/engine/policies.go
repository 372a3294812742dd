package engine

import (
	"context"
	"errors"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/cron"
	"github.com/streamstate/terraform-provider-flink/internal/store"
)

// nextFireCount is how many upcoming fire times a policy or a cron validation reports by default.
const nextFireCount = 5

// maxFireCount bounds a cron validation's count, so a request cannot ask for an unbounded answer.
const maxFireCount = 100

// policyRecord is a snapshot policy as stored (keyed by deployment id). ScheduleSince is when the
// current schedule was set: windows before it never fire.
type policyRecord struct {
	api.SnapshotPolicy
	ScheduleSince time.Time `json:"schedule_since"`
}

// compiledSchedule is a policy's schedule parsed once for the scheduler.
type compiledSchedule struct {
	cron *cron.Schedule
	loc  *time.Location
}

// parseSchedule validates a schedule; errors name the field (schedule.cron, schedule.time_zone).
func parseSchedule(s api.Schedule, cronField, zoneField string) (compiledSchedule, error) {
	loc, err := cron.LoadLocation(s.TimeZone)
	if err != nil {
		return compiledSchedule{}, invalid(zoneField, "%v", err)
	}
	c, err := cron.Parse(s.Cron)
	if err != nil {
		return compiledSchedule{}, invalid(cronField, "%v", err)
	}
	return compiledSchedule{cron: c, loc: loc}, nil
}

// firstFire is the first fire at or after from that also honours the 10-minute floor after lastFired.
func (c compiledSchedule) firstFire(from time.Time, lastFired *time.Time) time.Time {
	if lastFired != nil {
		if floor := lastFired.Add(cron.MinInterval); floor.After(from) {
			from = floor
		}
	}
	return c.cron.NextAtOrAfter(from, c.loc)
}

// upcoming lists up to n fire times strictly after now, the floor after lastFired applied, in the
// schedule's zone (so the wire shows the local wall time with its offset).
func (c compiledSchedule) upcoming(now time.Time, lastFired *time.Time, n int) []time.Time {
	var out []time.Time
	for t := c.firstFire(now.Add(time.Nanosecond), lastFired); !t.IsZero() && len(out) < n; t = c.cron.NextAfterFire(t, c.loc) {
		out = append(out, t.In(c.loc))
	}
	return out
}

func validatePolicy(in *api.SnapshotPolicy) (*compiledSchedule, error) {
	if in.Schedule.TimeZone == "" {
		in.Schedule.TimeZone = "UTC"
	}
	var sched *compiledSchedule
	switch {
	case in.Schedule.Cron != "":
		c, err := parseSchedule(in.Schedule, "schedule.cron", "schedule.time_zone")
		if err != nil {
			return nil, err
		}
		sched = &c
	case in.Schedule.Enabled:
		return nil, invalid("schedule.cron", "an enabled schedule needs a cron expression such as \"0 3 * * *\" (every day at 03:00)")
	default:
		if _, err := cron.LoadLocation(in.Schedule.TimeZone); err != nil {
			return nil, invalid("schedule.time_zone", "%v", err)
		}
	}
	c := in.Cleanup
	if c.KeepCount < 0 || (c.Enabled && c.KeepCount < 1) {
		return nil, invalid("cleanup.keep_count", "%d: keep at least 1 snapshot (the newest completed one is always kept)", c.KeepCount)
	}
	if err := checkCleanup(c); err != nil {
		return nil, err
	}
	return sched, nil
}

// withForecast adds the next fire times and the warnings of the policy's schedule.
func (r policyRecord) withForecast(now time.Time) api.SnapshotPolicy {
	out := r.SnapshotPolicy
	out.NextFireTimes, out.Warnings = nil, nil
	if r.Schedule.Cron == "" {
		return out
	}
	c, err := parseSchedule(r.Schedule, "schedule.cron", "schedule.time_zone")
	if err != nil {
		return out
	}
	out.Warnings = c.cron.Warnings()
	if r.Schedule.Enabled {
		from := now
		if r.ScheduleSince.After(from) {
			from = r.ScheduleSince
		}
		out.NextFireTimes = c.upcoming(from, r.LastFiredAt, nextFireCount)
	}
	return out
}

func loadPolicy(tx store.Tx, depID string) (policyRecord, bool, error) {
	var rec policyRecord
	err := tx.Get(store.Policies, depID, &rec)
	if errors.Is(err, store.ErrNotFound) {
		return rec, false, nil
	}
	return rec, err == nil, err
}

func putPolicy(tx store.Tx, rec policyRecord) error {
	return tx.Put(store.Policies, rec.DeploymentID, nil, rec)
}

// GetSnapshotPolicy returns a deployment's snapshot policy (Viewer); not_found when it has none.
func (e *Engine) GetSnapshotPolicy(ctx context.Context, p Principal, depID string) (api.SnapshotPolicy, error) {
	var rec policyRecord
	err := e.store.View(ctx, func(tx store.Tx) error {
		dep, _, _, err := loadDeployment(tx, p, depID, api.RoleViewer)
		if err != nil {
			return err
		}
		var ok bool
		if rec, ok, err = loadPolicy(tx, depID); err == nil && !ok {
			err = errf(api.CodeNotFound, "deployment %q has no snapshot policy: PUT one to schedule or clean up snapshots", dep.Name)
		}
		return err
	})
	if err != nil {
		return api.SnapshotPolicy{}, err
	}
	return rec.withForecast(e.now()), nil
}

// PutSnapshotPolicy creates or replaces a deployment's snapshot policy (Editor, namespace not locked).
// A non-zero Version must match the stored one. Changing the schedule restarts it from now: windows
// before the change never fire, and the 10-minute floor after the last fire still applies.
func (e *Engine) PutSnapshotPolicy(ctx context.Context, p Principal, depID string, in api.SnapshotPolicy) (api.SnapshotPolicy, error) {
	if _, err := validatePolicy(&in); err != nil {
		return api.SnapshotPolicy{}, err
	}
	var rec policyRecord
	err := e.store.Update(ctx, func(tx store.Tx) error {
		dep, _, ns, err := loadDeployment(tx, p, depID, api.RoleEditor)
		if err != nil {
			return err
		}
		if err := checkUnlocked(p, ns); err != nil {
			return err
		}
		old, exists, err := loadPolicy(tx, depID)
		if err != nil {
			return err
		}
		if in.CreateOnly && exists {
			return errf(api.CodeAlreadyExists, "deployment %q already has a snapshot policy (version %d): import it "+
				"instead of creating another (its import id is the deployment id, %s)", dep.Name, old.Version, depID)
		}
		if in.Version != 0 && in.Version != old.Version {
			return errf(api.CodePreconditionFailed, "the snapshot policy of deployment %q is at version %d, not %d: read it again and retry",
				dep.Name, old.Version, in.Version)
		}
		now := e.now()
		rec = policyRecord{SnapshotPolicy: api.SnapshotPolicy{DeploymentID: depID, Schedule: in.Schedule, Cleanup: in.Cleanup,
			LastFiredAt: old.LastFiredAt, Version: old.Version + 1, UpdatedAt: now}, ScheduleSince: old.ScheduleSince}
		if !exists || old.Schedule != in.Schedule {
			rec.ScheduleSince = now
		}
		return putPolicy(tx, rec)
	})
	if err != nil {
		return api.SnapshotPolicy{}, err
	}
	e.sched.touch(depID)
	return rec.withForecast(e.now()), nil
}

// DeleteSnapshotPolicy removes a deployment's snapshot policy (Editor, namespace not locked): no more
// scheduled snapshots and no more cleanup. Existing snapshots stay.
func (e *Engine) DeleteSnapshotPolicy(ctx context.Context, p Principal, depID string) error {
	err := e.store.Update(ctx, func(tx store.Tx) error {
		dep, _, ns, err := loadDeployment(tx, p, depID, api.RoleEditor)
		if err != nil {
			return err
		}
		if err := checkUnlocked(p, ns); err != nil {
			return err
		}
		if _, ok, err := loadPolicy(tx, depID); err != nil {
			return err
		} else if !ok {
			return errf(api.CodeNotFound, "deployment %q has no snapshot policy", dep.Name)
		}
		return tx.Delete(store.Policies, depID)
	})
	if err == nil {
		e.sched.touch(depID)
	}
	return err
}

// ValidateCron parses a schedule and lists its next fire times (10-minute floor applied) and warnings.
// Any authenticated caller may use it.
func (e *Engine) ValidateCron(_ context.Context, _ Principal, in api.CronRequest) (api.CronResponse, error) {
	if in.Count == 0 {
		in.Count = nextFireCount
	}
	if in.Count < 1 || in.Count > maxFireCount {
		return api.CronResponse{}, invalid("count", "%d must be from 1 to %d", in.Count, maxFireCount)
	}
	c, err := parseSchedule(api.Schedule{Cron: in.Cron, TimeZone: in.TimeZone}, "cron", "time_zone")
	if err != nil {
		return api.CronResponse{}, err
	}
	after := in.After
	if after.IsZero() {
		after = e.now()
	}
	fires := c.upcoming(after, nil, in.Count)
	if fires == nil {
		fires = []time.Time{}
	}
	return api.CronResponse{NextFireTimes: fires, Warnings: c.cron.Warnings()}, nil
}
