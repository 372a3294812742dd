package engine_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/enginetest"
	"github.com/streamstate/terraform-provider-flink/internal/store"
)

// fakeClock is a clock the test moves by hand (the engine's and the local runtime's).
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock(t time.Time) *fakeClock { return &fakeClock{now: t} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// wallTimes renders times as wall clock with offset in loc, for readable comparisons.
func wallTimes(ts []time.Time, loc *time.Location) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.In(loc).Format("2006-01-02 15:04 -07:00")
	}
	return out
}

func TestCronValidateListsFireTimesAcrossDST(t *testing.T) {
	t.Parallel()
	env := enginetest.Start(t, enginetest.Options{})
	c := env.As(env.Admin().NewToken(t, "anyone")) // any authenticated caller may validate
	ny, _ := time.LoadLocation("America/New_York")
	cases := []struct {
		cron, after string
		want        []string
	}{
		// 02:30 does not exist on 10 March 2024 (clocks jump 02:00 -> 03:00): that day does not fire.
		{"30 2 * * *", "2024-03-09T12:00:00-05:00", []string{"2024-03-11 02:30 -04:00", "2024-03-12 02:30 -04:00"}},
		// 01:30 happens twice on 3 November 2024: it fires once, at the first (EDT) occurrence.
		{"30 1 * * *", "2024-11-02T12:00:00-04:00", []string{"2024-11-03 01:30 -04:00", "2024-11-04 01:30 -05:00"}},
		// Every 30 minutes through the repeated hour: the second 01:00-01:59 does not fire again.
		{"0/30 1 * * *", "2024-11-03T00:45:00-04:00", []string{"2024-11-03 01:00 -04:00", "2024-11-03 01:30 -04:00", "2024-11-04 01:00 -05:00"}},
	}
	for _, tc := range cases {
		var resp api.CronResponse
		c.Must(t, "POST", "/cron/validate", api.CronRequest{Cron: tc.cron, TimeZone: "America/New_York", After: mustTime(t, tc.after), Count: len(tc.want)}, &resp)
		if got := wallTimes(resp.NextFireTimes, ny); strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("%q after %s: got %v, want %v", tc.cron, tc.after, got, tc.want)
		}
	}

	var resp api.CronResponse
	c.Must(t, "POST", "/cron/validate", api.CronRequest{Cron: "0/5 14 * * *", After: mustTime(t, "2025-01-06T13:00:00Z")}, &resp)
	want := []string{"2025-01-06 14:00 +00:00", "2025-01-06 14:10 +00:00", "2025-01-06 14:20 +00:00", "2025-01-06 14:30 +00:00", "2025-01-06 14:40 +00:00"}
	if got := wallTimes(resp.NextFireTimes, time.UTC); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("every 5 minutes: got %v, want the 10-minute floor %v", got, want)
	}
	if len(resp.Warnings) == 0 || !strings.Contains(resp.Warnings[0], "10 minutes") {
		t.Errorf("an every-5-minutes cron should warn about the 10-minute floor: %v", resp.Warnings)
	}

	for _, bad := range []struct {
		req   api.CronRequest
		field string
	}{
		{api.CronRequest{Cron: "0 12 ? * *"}, "cron"},
		{api.CronRequest{Cron: "0 12 * *"}, "cron"},
		{api.CronRequest{Cron: "0 12 * * *", TimeZone: "Mars/Olympus"}, "time_zone"},
		{api.CronRequest{Cron: "0 12 * * *", Count: 1000}, "count"},
	} {
		prob := c.Fails(t, http.StatusBadRequest, api.CodeInvalidArgument, "POST", "/cron/validate", bad.req)
		if !strings.HasPrefix(prob.Detail, bad.field+":") {
			t.Errorf("%+v: the error should name %s: %s", bad.req, bad.field, prob.Detail)
		}
	}
}

func TestSnapshotPolicyIsValidatedAndForecast(t *testing.T) {
	t.Parallel()
	clock := newFakeClock(mustTime(t, "2024-03-09T12:00:00-05:00"))
	env := enginetest.Start(t, enginetest.Options{Clock: clock.Now})
	c := env.Admin()
	ns := c.Namespace(t, c.Workspace(t, "ws").ID, "ns")
	dep := c.Deployment(t, ns.ID, "job", enginetest.SQLDeployment(srcSQL))
	path := "/deployments/" + dep.ID + "/snapshot-policy"

	c.Fails(t, http.StatusNotFound, api.CodeNotFound, "GET", path, nil)
	for _, bad := range []struct {
		policy api.SnapshotPolicy
		field  string
	}{
		{api.SnapshotPolicy{Schedule: api.Schedule{Enabled: true, Cron: "0 12 ? * *"}}, "schedule.cron"},
		{api.SnapshotPolicy{Schedule: api.Schedule{Enabled: true}}, "schedule.cron"},
		{api.SnapshotPolicy{Schedule: api.Schedule{Enabled: true, Cron: "0 12 * * *", TimeZone: "Nowhere/City"}}, "schedule.time_zone"},
		{api.SnapshotPolicy{Cleanup: api.Cleanup{Enabled: true, KeepCount: 0}}, "cleanup.keep_count"},
		{api.SnapshotPolicy{Cleanup: api.Cleanup{Enabled: true, KeepCount: 1, MaxAge: api.DurationOf(-time.Hour)}}, "cleanup.max_age"},
	} {
		prob := c.Fails(t, http.StatusBadRequest, api.CodeInvalidArgument, "PUT", path, bad.policy)
		if !strings.HasPrefix(prob.Detail, bad.field+":") {
			t.Errorf("%+v: the error should name %s: %s", bad.policy, bad.field, prob.Detail)
		}
	}

	// The forecast is in the policy's zone, skips the wall time DST removes, and the zone defaults to UTC.
	var p api.SnapshotPolicy
	c.Must(t, "PUT", path, api.SnapshotPolicy{Schedule: api.Schedule{Enabled: true, Cron: "30 2 * * *", TimeZone: "America/New_York"},
		Cleanup: api.Cleanup{Enabled: true, KeepCount: 3, MaxAge: api.DurationOf(72 * time.Hour)}}, &p)
	ny, _ := time.LoadLocation("America/New_York")
	want := []string{"2024-03-11 02:30 -04:00", "2024-03-12 02:30 -04:00", "2024-03-13 02:30 -04:00", "2024-03-14 02:30 -04:00", "2024-03-15 02:30 -04:00"}
	if got := wallTimes(p.NextFireTimes, ny); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("next fire times %v, want %v (no fire on 10 March, 02:30 does not exist)", got, want)
	}
	if p.Version != 1 || p.DeploymentID != dep.ID || len(p.Warnings) != 0 || p.Cleanup.KeepCount != 3 {
		t.Fatalf("stored policy = %+v", p)
	}
	c.Must(t, "PUT", path, api.SnapshotPolicy{Schedule: api.Schedule{Enabled: true, Cron: "0/5 * * * *"}, Version: 1}, &p)
	if p.Schedule.TimeZone != "UTC" || len(p.NextFireTimes) != 5 || p.NextFireTimes[1].Sub(p.NextFireTimes[0]) != 10*time.Minute {
		t.Fatalf("every-5-minutes policy: zone %q, fires %v: want UTC and 10-minute spacing", p.Schedule.TimeZone, p.NextFireTimes)
	}
	if len(p.Warnings) == 0 || !strings.Contains(p.Warnings[0], "10 minutes") {
		t.Fatalf("warnings = %v, want the 10-minute floor", p.Warnings)
	}
	prob := c.Fails(t, http.StatusPreconditionFailed, api.CodePreconditionFailed, "PUT", path, api.SnapshotPolicy{Version: 1})
	if !strings.Contains(prob.Detail, "version 2") {
		t.Fatalf("412 should say the current version: %s", prob.Detail)
	}
	var read api.SnapshotPolicy
	c.Must(t, "GET", path, nil, &read)
	if read.Version != 2 || read.Schedule.Cron != "0/5 * * * *" || len(read.NextFireTimes) != 5 {
		t.Fatalf("read back %+v", read)
	}

	// Viewer reads, Editor writes.
	vic := env.As(c.NewToken(t, "vic"))
	c.Member(t, ns.ID, "vic", api.RoleViewer)
	vic.Must(t, "GET", path, nil, nil)
	vic.Fails(t, http.StatusForbidden, api.CodeForbidden, "PUT", path, api.SnapshotPolicy{})
	vic.Fails(t, http.StatusForbidden, api.CodeForbidden, "DELETE", path, nil)
	c.Member(t, ns.ID, "vic", api.RoleEditor)
	vic.Must(t, "PUT", path, read, &p)

	// A namespace locked by a running clone refuses policy changes (reads still work).
	lockNamespace(t, env, ns.ID, "clone-under-way")
	vic.Must(t, "GET", path, nil, nil)
	prob = vic.Fails(t, http.StatusLocked, api.CodeLocked, "PUT", path, read)
	if prob.TaskID != "clone-under-way" {
		t.Fatalf("the locked error should name the clone: %+v", prob)
	}
	vic.Fails(t, http.StatusLocked, api.CodeLocked, "DELETE", path, nil)
	lockNamespace(t, env, ns.ID, "")

	vic.Must(t, "DELETE", path, nil, nil)
	c.Fails(t, http.StatusNotFound, api.CodeNotFound, "GET", path, nil)
	c.Fails(t, http.StatusNotFound, api.CodeNotFound, "DELETE", path, nil)
}

// lockNamespace sets the lock a running clone holds on a namespace ("" releases it), as the clone
// executor records it.
func lockNamespace(t *testing.T, env *enginetest.Env, nsID, cloneID string) {
	t.Helper()
	err := env.Store.Update(context.Background(), func(tx store.Tx) error {
		var ns api.Namespace
		if err := tx.Get(store.Namespaces, nsID, &ns); err != nil {
			return err
		}
		ns.LockedBy = cloneID
		return tx.Put(store.Namespaces, nsID, store.Cols{"workspace_id": ns.WorkspaceID, "name": ns.Name}, ns)
	})
	if err != nil {
		t.Fatal(err)
	}
}
