package engine_test

import (
	"context"
	"testing"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/enginetest"
)

// A policy disabled or deleted after the scheduler read it fires nothing: the fire re-reads the policy
// in its own transaction. The control case (nothing changes in between) proves the same path fires.
func TestScheduleDoesNotFireForAPolicyChangedSinceItWasRead(t *testing.T) {
	t.Parallel()
	clock := newFakeClock(mustTime(t, "2025-01-06T12:00:00Z"))
	env := enginetest.Start(t, enginetest.Options{Clock: clock.Now})
	c := env.Admin()
	ns := c.Namespace(t, c.Workspace(t, "ws").ID, "ns")
	scheduledPolicy := api.SnapshotPolicy{Schedule: api.Schedule{Enabled: true, Cron: "0 * * * *"}}
	cases := []struct {
		name    string
		between func(depID string)
		want    int
	}{
		{"unchanged", func(string) {}, 1},
		{"disabled", func(depID string) { putPolicy(t, c, depID, api.SnapshotPolicy{Schedule: api.Schedule{Enabled: false}}) }, 0},
		{"deleted", func(depID string) { c.Must(t, "DELETE", "/deployments/"+depID+"/snapshot-policy", nil, nil) }, 0},
	}
	for _, tc := range cases {
		dep := c.Deployment(t, ns.ID, "job-"+tc.name, enginetest.SQLDeployment(srcSQL))
		c.StartRunning(t, dep.ID, api.StartRequest{})
		putPolicy(t, c, dep.ID, scheduledPolicy)
		if _, err := env.Engine.FireWithStalePolicy(context.Background(), dep.ID, func() { tc.between(dep.ID) }); err != nil {
			t.Fatal(err)
		}
		if got := scheduled(t, c, dep.ID); len(got) != tc.want {
			t.Fatalf("%s policy: %d scheduled snapshots, want %d", tc.name, len(got), tc.want)
		}
		c.Must(t, "POST", "/deployments/"+dep.ID+"/stop", api.StopRequest{}, nil)
	}
}
