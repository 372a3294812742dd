package engine_test

import (
	"testing"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/enginetest"
)

// A deployment without state of its own starts from its restore point (a snapshot of another
// deployment) under LATEST_STATE and LATEST_SAVEPOINT; once it has state of its own, that wins.
func TestLatestStateFallsBackToTheRestorePoint(t *testing.T) {
	t.Parallel()
	env := enginetest.Start(t, enginetest.Options{})
	c := env.Admin()
	ns := c.Namespace(t, c.Workspace(t, "ws").ID, "ns")
	origin := c.Deployment(t, ns.ID, "origin", enginetest.SQLDeployment(srcSQL))
	c.StartRunning(t, origin.ID, api.StartRequest{})
	snap := c.Snapshot(t, origin.ID, api.SnapshotRequest{Description: "restore point"})
	c.Must(t, "POST", "/deployments/"+origin.ID+"/stop", api.StopRequest{}, nil)

	for _, strategy := range []string{api.RestoreLatestState, api.RestoreLatestSavepoint} {
		spec := enginetest.SQLDeployment(srcSQL)
		spec.RestorePoint = snap.ID
		dep := c.Deployment(t, ns.ID, "from-point-"+strategy, spec)
		job := c.StartRunning(t, dep.ID, api.StartRequest{RestoreStrategy: strategy})
		if job.RestoredFrom != snap.ID {
			t.Fatalf("%s without own state: the job started from %q, want the restore point %s", strategy, job.RestoredFrom, snap.ID)
		}
		own := c.Snapshot(t, dep.ID, api.SnapshotRequest{Description: "own"})
		c.Must(t, "POST", "/deployments/"+dep.ID+"/stop", api.StopRequest{}, nil)
		c.WaitJob(t, dep.ID, api.JobCancelled)
		if job := c.StartRunning(t, dep.ID, api.StartRequest{RestoreStrategy: api.RestoreLatestSavepoint}); job.RestoredFrom != own.ID {
			t.Fatalf("with a snapshot of its own the job starts from %s, not %q", own.ID, job.RestoredFrom)
		}
		c.Must(t, "POST", "/deployments/"+dep.ID+"/stop", api.StopRequest{}, nil)
	}
}
