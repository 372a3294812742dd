package replicatest

import (
	"fmt"
	"testing"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/enginetest"
)

// Two replicas and 1,000 deployments with a running job and a snapshot policy each: every job is
// started through one replica and its policy written through the other. As the test clocks move, every
// due window fires exactly once: one scheduled snapshot per deployment and window, none twice, none
// failed (each fire happens on the replica whose process runs the job).
func TestEveryDueWindowFiresOnceAcrossReplicas(t *testing.T) {
	enginetest.SkipIfShort(t, "runs two engine processes with 1,000 jobs")
	const policies = 1000
	// 1,000 leases renewed on a shared machine: a period that a busy SQLite file can keep up with.
	cl := newCluster(t, 5*time.Second)
	a, b := cl.start(), cl.start()
	ca, cb := a.Client(enginetest.AdminToken), b.Client(enginetest.AdminToken)
	ns := ca.Namespace(t, ca.Workspace(t, "ws").ID, "ns")
	deps := make([]string, policies)
	parallel(t, policies, 8, func(i int) error {
		on, other := ca, cb
		if i%2 == 1 {
			on, other = cb, ca
		}
		spec := enginetest.SQLDeployment("INSERT INTO sink SELECT * FROM src")
		spec.FlinkConfiguration["local.state-bytes"] = "1kb"
		spec.Checkpoint.Interval = api.DurationOf(time.Hour) // no checkpoints: the test is about fires
		var dep api.Object
		raw, _ := jsonRaw(spec)
		if err := must(on, "POST", "/namespaces/"+ns.ID+"/objects/"+api.KindDeployment, api.ObjectInput{Name: fmt.Sprintf("job-%04d", i), Spec: raw}, &dep); err != nil {
			return err
		}
		deps[i] = dep.ID
		if err := must(on, "POST", "/deployments/"+dep.ID+"/start", api.StartRequest{}, nil); err != nil {
			return err
		}
		return must(other, "PUT", "/deployments/"+dep.ID+"/snapshot-policy",
			api.SnapshotPolicy{Schedule: api.Schedule{Enabled: true, Cron: "*/10 * * * *"}}, nil)
	})
	enginetest.Until(t, 120*time.Second, func() string { return "every job RUNNING" }, func() bool {
		var page api.Page[api.Object]
		ca.Must(t, "GET", "/namespaces/"+ns.ID+"/objects/"+api.KindDeployment+"?limit=1000", nil, &page)
		for _, o := range page.Items {
			if o.Status != api.JobRunning {
				return false
			}
		}
		return len(page.Items) == policies
	})
	if ha, hb := held(t, a, "job"), held(t, b, "job"); ha != policies/2 || hb != policies/2 {
		t.Fatalf("jobs watched: %d and %d, want %d each (by the replica that started them)", ha, hb, policies/2)
	}

	const rounds = 2
	for round := 1; round <= rounds; round++ {
		// 20 minutes hold a due window whatever the phase: a late fire counts its 10-minute floor from
		// the minute it fired, and windows come every 10 minutes.
		advance(t, 20*time.Minute, a, b)
		var snaps []api.Snapshot
		enginetest.Until(t, 120*time.Second, func() string {
			return fmt.Sprintf("round %d: %d scheduled snapshots, all ended", round, len(snaps))
		}, func() bool {
			snaps = allSnapshots(t, cb, ns.ID, api.OriginAutoTriggered)
			for _, s := range snaps {
				if s.Status == api.SnapshotStarted {
					return false
				}
			}
			return len(snaps) >= round*policies
		})
		windows := map[string]map[string]bool{} // deployment -> the windows it fired
		for _, s := range snaps {
			if s.Status != api.SnapshotCompleted {
				t.Fatalf("round %d: scheduled snapshot %s of %s is %s: %s", round, s.ID, s.DeploymentID, s.Status, s.Failure)
			}
			if windows[s.DeploymentID] == nil {
				windows[s.DeploymentID] = map[string]bool{}
			}
			if windows[s.DeploymentID][s.Description] {
				t.Fatalf("round %d: %s fired twice: %s", round, s.DeploymentID, s.Description)
			}
			windows[s.DeploymentID][s.Description] = true
		}
		for _, id := range deps {
			// A window the wall clock crossed during the test fires too; each still fires once.
			if n := len(windows[id]); n < round {
				t.Fatalf("round %d: %s fired %d windows, want at least %d", round, id, n, round)
			}
		}
		t.Logf("round %d: %d scheduled snapshots over %d deployments, each window once", round, len(snaps), policies)
	}
}
