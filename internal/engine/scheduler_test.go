package engine_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/enginetest"
)

// scheduled returns a deployment's AUTO_TRIGGERED snapshots, newest first.
func scheduled(t *testing.T, c *enginetest.Client, depID string) []api.Snapshot {
	t.Helper()
	return listSnapshots(t, c, "deployment_id="+depID+"&origin=AUTO_TRIGGERED").Items
}

// fireAt moves the clock, runs the scheduler's pass and, when it took a snapshot, waits for it to
// complete. It returns the deployment's scheduled snapshots.
func fireAt(t *testing.T, env *enginetest.Env, clock *fakeClock, depID, at string) []api.Snapshot {
	t.Helper()
	clock.Set(mustTime(t, at))
	env.Engine.WakeScheduler()
	c := env.Admin()
	snaps := scheduled(t, c, depID)
	if len(snaps) > 0 && snaps[0].Status == api.SnapshotStarted {
		c.WaitSnapshot(t, snaps[0].ID, api.SnapshotCompleted)
		snaps = scheduled(t, c, depID)
	}
	return snaps
}

func putPolicy(t *testing.T, c *enginetest.Client, depID string, p api.SnapshotPolicy) api.SnapshotPolicy {
	t.Helper()
	var out api.SnapshotPolicy
	c.Must(t, "PUT", "/deployments/"+depID+"/snapshot-policy", p, &out)
	return out
}

func TestScheduleFiresEveryTenMinutesAtMostAndNeverTwiceAcrossRestarts(t *testing.T) {
	t.Parallel()
	clock := newFakeClock(mustTime(t, "2025-01-06T12:00:30Z"))
	env := enginetest.Start(t, enginetest.Options{Clock: clock.Now})
	c := env.Admin()
	ns := c.Namespace(t, c.Workspace(t, "ws").ID, "ns")
	dep := c.Deployment(t, ns.ID, "job", enginetest.SQLDeployment(srcSQL))
	c.StartRunning(t, dep.ID, api.StartRequest{})
	putPolicy(t, c, dep.ID, api.SnapshotPolicy{Schedule: api.Schedule{Enabled: true, Cron: "0/5 * * * *"}})

	if got := fireAt(t, env, clock, dep.ID, "2025-01-06T12:04:59Z"); len(got) != 0 {
		t.Fatalf("fired before the first window: %d snapshots", len(got))
	}
	got := fireAt(t, env, clock, dep.ID, "2025-01-06T12:05:00Z")
	if len(got) != 1 || got[0].Status != api.SnapshotCompleted {
		t.Fatalf("at 12:05: %+v, want one completed scheduled snapshot", got)
	}
	// 12:10 matches the cron but is only 5 minutes after the last fire: the floor skips it.
	if got := fireAt(t, env, clock, dep.ID, "2025-01-06T12:10:00Z"); len(got) != 1 {
		t.Fatalf("at 12:10: %d snapshots, want still 1 (10-minute floor)", len(got))
	}
	if got := fireAt(t, env, clock, dep.ID, "2025-01-06T12:15:00Z"); len(got) != 2 {
		t.Fatalf("at 12:15: %d snapshots, want 2", len(got))
	}
	var p api.SnapshotPolicy
	c.Must(t, "GET", "/deployments/"+dep.ID+"/snapshot-policy", nil, &p)
	if p.LastFiredAt == nil || !p.LastFiredAt.Equal(mustTime(t, "2025-01-06T12:15:00Z")) {
		t.Fatalf("last_fired_at = %v, want 12:15", p.LastFiredAt)
	}

	// A restart at the same instant does not fire the 12:15 window again.
	env.Restart(t)
	c.WaitJob(t, dep.ID, api.JobRunning)
	if got := fireAt(t, env, clock, dep.ID, "2025-01-06T12:15:00Z"); len(got) != 2 {
		t.Fatalf("after a restart at 12:15: %d snapshots, want still 2", len(got))
	}

	// Down for five hours: the thirty missed windows fire once, when the engine is back.
	env.Stop(t)
	clock.Set(mustTime(t, "2025-01-06T17:17:20Z"))
	env.Restart(t)
	c.WaitJob(t, dep.ID, api.JobRunning)
	if got := fireAt(t, env, clock, dep.ID, "2025-01-06T17:17:20Z"); len(got) != 3 {
		t.Fatalf("after five hours down: %d snapshots, want 3 (missed windows fire once)", len(got))
	}
	if got := fireAt(t, env, clock, dep.ID, "2025-01-06T17:20:00Z"); len(got) != 3 {
		t.Fatalf("at 17:20, 3 minutes after the catch-up fire: %d snapshots, want still 3", len(got))
	}
	c.Must(t, "GET", "/deployments/"+dep.ID+"/snapshot-policy", nil, &p)
	if p.LastFiredAt == nil || !p.LastFiredAt.Equal(mustTime(t, "2025-01-06T17:17:00Z")) ||
		len(p.NextFireTimes) == 0 || !p.NextFireTimes[0].Equal(mustTime(t, "2025-01-06T17:30:00Z")) {
		t.Fatalf("after the catch-up: last fired %v, next %v; want 17:17 and 17:30", p.LastFiredAt, p.NextFireTimes)
	}
	if got := fireAt(t, env, clock, dep.ID, "2025-01-06T17:30:00Z"); len(got) != 4 {
		t.Fatalf("at 17:30: %d snapshots, want 4", len(got))
	}
}

func TestScheduleFiresOnlyWhileTheJobRuns(t *testing.T) {
	t.Parallel()
	clock := newFakeClock(mustTime(t, "2025-01-06T08:00:00Z"))
	env := enginetest.Start(t, enginetest.Options{Clock: clock.Now})
	c := env.Admin()
	ns := c.Namespace(t, c.Workspace(t, "ws").ID, "ns")
	dep := c.Deployment(t, ns.ID, "job", enginetest.SQLDeployment(srcSQL))
	putPolicy(t, c, dep.ID, api.SnapshotPolicy{Schedule: api.Schedule{Enabled: true, Cron: "0 * * * *"}})

	if got := fireAt(t, env, clock, dep.ID, "2025-01-06T09:00:00Z"); len(got) != 0 {
		t.Fatalf("fired for a deployment that never ran: %d", len(got))
	}
	// Windows that passed while the job was stopped are not made up for when it starts.
	clock.Set(mustTime(t, "2025-01-06T11:30:00Z"))
	c.StartRunning(t, dep.ID, api.StartRequest{})
	if got := fireAt(t, env, clock, dep.ID, "2025-01-06T11:30:00Z"); len(got) != 0 {
		t.Fatalf("fired for windows before the job started: %d", len(got))
	}
	got := fireAt(t, env, clock, dep.ID, "2025-01-06T12:00:00Z")
	if len(got) != 1 || got[0].JobID == "" {
		t.Fatalf("at 12:00 with the job running: %+v, want one snapshot of the job", got)
	}
	c.Must(t, "POST", "/deployments/"+dep.ID+"/stop", api.StopRequest{}, nil)
	c.WaitJob(t, dep.ID, api.JobCancelled)
	if got := fireAt(t, env, clock, dep.ID, "2025-01-06T13:00:00Z"); len(got) != 1 {
		t.Fatalf("fired while the job was stopped: %d snapshots", len(got))
	}
	// A deleted policy fires no more.
	c.StartRunning(t, dep.ID, api.StartRequest{RestoreStrategy: api.RestoreNone})
	c.Must(t, "DELETE", "/deployments/"+dep.ID+"/snapshot-policy", nil, nil)
	if got := fireAt(t, env, clock, dep.ID, "2025-01-06T14:00:00Z"); len(got) != 1 {
		t.Fatalf("fired after the policy was deleted: %d snapshots", len(got))
	}
}

func TestCleanupKeepsManualAndNewestSnapshots(t *testing.T) {
	t.Parallel()
	clock := newFakeClock(mustTime(t, "2025-01-06T00:00:30Z"))
	env := enginetest.Start(t, enginetest.Options{Clock: clock.Now})
	c := env.Admin()
	ns := c.Namespace(t, c.Workspace(t, "ws").ID, "ns")
	dep := c.Deployment(t, ns.ID, "job", enginetest.SQLDeployment(srcSQL))
	c.StartRunning(t, dep.ID, api.StartRequest{})
	manual := c.Snapshot(t, dep.ID, api.SnapshotRequest{Description: "by hand"})
	putPolicy(t, c, dep.ID, api.SnapshotPolicy{Schedule: api.Schedule{Enabled: true, Cron: "0/10 * * * *"},
		Cleanup: api.Cleanup{Enabled: true, KeepCount: 2}})

	var kept []api.Snapshot
	for _, at := range []string{"00:10", "00:20", "00:30", "00:40"} {
		kept = fireAt(t, env, clock, dep.ID, "2025-01-06T"+at+":00Z")
	}
	// Cleanup runs after each scheduled snapshot completes: only the two newest stay.
	enginetest.Eventually(t, 10*time.Second, "cleanup down to the keep count", func() bool {
		kept = scheduled(t, c, dep.ID)
		return len(kept) == 2
	})
	env.Engine.WakeScheduler()
	kept = scheduled(t, c, dep.ID)
	if len(kept) != 2 || !kept[0].CreatedAt.Equal(mustTime(t, "2025-01-06T00:40:00Z")) || !kept[1].CreatedAt.Equal(mustTime(t, "2025-01-06T00:30:00Z")) {
		t.Fatalf("kept %+v, want the 00:40 and 00:30 snapshots", kept)
	}
	c.Must(t, "GET", "/snapshots/"+manual.ID, nil, nil)

	// Max age, without the schedule: once both expire the older goes, the newest completed stays.
	putPolicy(t, c, dep.ID, api.SnapshotPolicy{Cleanup: api.Cleanup{Enabled: true, KeepCount: 10, MaxAge: api.DurationOf(time.Hour)}})
	clock.Set(mustTime(t, "2025-01-06T01:35:00Z")) // the 00:30 snapshot is 65 minutes old, 00:40 is 55
	env.Engine.WakeScheduler()
	if got := scheduled(t, c, dep.ID); len(got) != 1 || got[0].ID != kept[0].ID {
		t.Fatalf("after 00:30 expired: %d scheduled snapshots, want only the 00:40 one", len(got))
	}
	clock.Set(mustTime(t, "2025-01-06T09:00:00Z"))
	env.Engine.WakeScheduler()
	if got := scheduled(t, c, dep.ID); len(got) != 1 || got[0].ID != kept[0].ID {
		t.Fatalf("the newest completed scheduled snapshot must stay however old: %d left", len(got))
	}
	c.Must(t, "GET", "/snapshots/"+manual.ID, nil, nil) // manual snapshots are deleted only by hand
	c.Fails(t, http.StatusNotFound, api.CodeNotFound, "GET", "/snapshots/"+kept[1].ID, nil)
}

func TestCleanupRunsWhenTheJobStarts(t *testing.T) {
	t.Parallel()
	clock := newFakeClock(mustTime(t, "2025-01-06T00:00:30Z"))
	env := enginetest.Start(t, enginetest.Options{Clock: clock.Now})
	c := env.Admin()
	ns := c.Namespace(t, c.Workspace(t, "ws").ID, "ns")
	dep := c.Deployment(t, ns.ID, "job", enginetest.SQLDeployment(srcSQL))
	c.StartRunning(t, dep.ID, api.StartRequest{})
	putPolicy(t, c, dep.ID, api.SnapshotPolicy{Schedule: api.Schedule{Enabled: true, Cron: "0/10 * * * *"}})
	for _, at := range []string{"00:10", "00:20", "00:30"} {
		fireAt(t, env, clock, dep.ID, "2025-01-06T"+at+":00Z")
	}
	c.Must(t, "POST", "/deployments/"+dep.ID+"/stop", api.StopRequest{}, nil)
	c.WaitJob(t, dep.ID, api.JobCancelled)
	putPolicy(t, c, dep.ID, api.SnapshotPolicy{Cleanup: api.Cleanup{Enabled: true, KeepCount: 1}})
	env.Engine.WakeScheduler()
	if got := scheduled(t, c, dep.ID); len(got) != 3 {
		t.Fatalf("cleanup ran while the job was stopped: %d left, want 3", len(got))
	}
	c.StartRunning(t, dep.ID, api.StartRequest{RestoreStrategy: api.RestoreNone})
	enginetest.Eventually(t, 10*time.Second, "cleanup when the job starts", func() bool {
		return len(scheduled(t, c, dep.ID)) == 1
	})
}

// A scheduled snapshot that another deployment starts from (its restore point, as a clone sets it) is
// in use: cleanup leaves it until the reference goes.
func TestCleanupSkipsASnapshotInUseAsARestorePoint(t *testing.T) {
	t.Parallel()
	clock := newFakeClock(mustTime(t, "2025-01-06T00:00:30Z"))
	env := enginetest.Start(t, enginetest.Options{Clock: clock.Now})
	c := env.Admin()
	ns := c.Namespace(t, c.Workspace(t, "ws").ID, "ns")
	dep := c.Deployment(t, ns.ID, "job", enginetest.SQLDeployment(srcSQL))
	c.StartRunning(t, dep.ID, api.StartRequest{})
	putPolicy(t, c, dep.ID, api.SnapshotPolicy{Schedule: api.Schedule{Enabled: true, Cron: "0/10 * * * *"}})
	var snaps []api.Snapshot
	for _, at := range []string{"00:10", "00:20", "00:30"} {
		snaps = fireAt(t, env, clock, dep.ID, "2025-01-06T"+at+":00Z")
	}
	oldest := snaps[2]
	spec := enginetest.SQLDeployment(srcSQL)
	spec.RestorePoint = oldest.ID
	user := c.Deployment(t, ns.ID, "user", spec)

	putPolicy(t, c, dep.ID, api.SnapshotPolicy{Cleanup: api.Cleanup{Enabled: true, KeepCount: 1}})
	env.Engine.WakeScheduler()
	got := scheduled(t, c, dep.ID)
	if len(got) != 2 || got[0].ID != snaps[0].ID || got[1].ID != oldest.ID {
		t.Fatalf("kept %d scheduled snapshots, want the newest and the restore point %s", len(got), oldest.ID)
	}
	c.Must(t, "DELETE", "/objects/"+user.ID, nil, nil)
	clock.Set(mustTime(t, "2025-01-06T00:32:00Z")) // past the retry delay
	env.Engine.WakeScheduler()
	if got := scheduled(t, c, dep.ID); len(got) != 1 || got[0].ID != snaps[0].ID {
		t.Fatalf("once unreferenced, the old snapshot goes: %d left", len(got))
	}
}
