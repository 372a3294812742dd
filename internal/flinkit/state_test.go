package flinkit_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/enginetest"
)

// A SQL job on Flink: its checkpoints and snapshots are Flink's own files in the namespace's storage,
// and a job restored from a snapshot continues counting where the snapshot was taken.
func TestSQLJobResumesFromItsOwnSnapshot(t *testing.T) {
	t.Parallel()
	fe := newFlinkEnv(t)
	c := fe.c
	ns := c.Namespace(t, fe.ws.ID, "ns")
	tag := "own-" + ns.ID
	dep := c.Deployment(t, ns.ID, "counts", sqlDeployment(countingSQL(tag)))

	job := startJob(t, c, dep.ID, api.StartRequest{})
	if job.FlinkJobID == "" || clusterJobs(t)[job.FlinkJobID] != "RUNNING" {
		t.Fatalf("job %+v is not RUNNING on the cluster (cluster jobs %v)", job, clusterJobs(t))
	}
	// A workspace with a running job keeps its runtime.
	p := c.Fails(t, http.StatusConflict, api.CodeConflict, "PUT", "/workspaces/"+fe.ws.ID, api.WorkspaceInput{Name: fe.ws.Name,
		Region: fe.ws.Region, Architecture: fe.ws.Architecture, Storage: fe.ws.Storage, CloneEnabled: fe.ws.CloneEnabled,
		Runtime: api.Runtime{Type: api.RuntimeLocal}})
	if !strings.Contains(p.Detail, "stop them") {
		t.Fatalf("the refusal does not say what to do: %+v", p)
	}
	// Flink keeps one checkpoint and replaces it every second: look at one that exists right now.
	cp := retainedCheckpoint(t, fe, dep.ID)
	if cp.StatePath == "" || cp.FullSizeByte <= 0 || !strings.Contains(cp.StatePath, job.FlinkJobID+"/chk-") {
		t.Fatalf("checkpoint record is not Flink's: %+v", cp)
	}

	floor := waitCounts(t, tag, 0, 5)
	snap := snapshot(t, c, dep.ID, api.FormatCanonical)
	if snap.SizeBytes <= 0 || !strings.HasPrefix(snap.Location, "file://") {
		t.Fatalf("snapshot has no size or location: %+v", snap)
	}
	if _, err := os.Stat(filepath.Join(fe.DataDir, "storage", snap.StatePath, "_metadata")); err != nil {
		t.Fatalf("snapshot %s has no _metadata at %s: %v", snap.ID, snap.StatePath, err)
	}
	native := snapshot(t, c, dep.ID, api.FormatNative)
	if native.Format != api.FormatNative || native.StatePath == snap.StatePath {
		t.Fatalf("NATIVE snapshot %+v", native)
	}
	stopJob(t, c, dep.ID, api.StopNone)
	if state := clusterJobs(t)[job.FlinkJobID]; state != "CANCELED" {
		t.Fatalf("the cluster's job is %s after the stop, want CANCELED", state)
	}

	offset := stdoutLen(t)
	startJob(t, c, dep.ID, api.StartRequest{RestoreStrategy: api.RestoreFromSavepoint, SnapshotID: snap.ID})
	assertContinues(t, tag, offset, floor)
}

// A retained checkpoint restores its own deployment, and another deployment starts from a snapshot
// of the first (the seed: snapshots can be shared between jobs with compatible state).
func TestRestoreFromARetainedCheckpointAndFromAnotherDeploymentsSnapshot(t *testing.T) {
	t.Parallel()
	fe := newFlinkEnv(t)
	c := fe.c
	ns := c.Namespace(t, fe.ws.ID, "ns")
	tagA, tagB := "a-"+ns.ID, "b-"+ns.ID
	a := c.Deployment(t, ns.ID, "a", sqlDeployment(countingSQL(tagA)))
	b := c.Deployment(t, ns.ID, "b", sqlDeployment(countingSQL(tagB)))

	startJob(t, c, a.ID, api.StartRequest{})
	floor := waitCounts(t, tagA, 0, 5) // the state of everything below has counted at least this
	snap := snapshot(t, c, a.ID, api.FormatCanonical)
	enginetest.Eventually(t, waitLong, "a checkpoint after the snapshot", func() bool {
		cp := checkpoints(t, c, a.ID, 1)[0]
		return cp.CompletedAt != nil && cp.CompletedAt.After(*snap.CompletedAt)
	})
	stopJob(t, c, a.ID, api.StopNone)
	cp := retainedCheckpoint(t, fe, a.ID)
	// a, from its retained checkpoint: RETAIN_ON_CANCELLATION kept it.
	offset := stdoutLen(t)
	job := startJob(t, c, a.ID, api.StartRequest{RestoreStrategy: api.RestoreFromCheckpoint, CheckpointID: cp.ID})
	if job.RestoredFrom != cp.ID {
		t.Fatalf("job restored from %q, want checkpoint %s", job.RestoredFrom, cp.ID)
	}
	assertContinues(t, tagA, offset, floor)

	// b, from a's snapshot.
	offset = stdoutLen(t)
	startJob(t, c, b.ID, api.StartRequest{RestoreStrategy: api.RestoreFromSavepoint, SnapshotID: snap.ID})
	assertContinues(t, tagB, offset, floor)
}

// Flink discards a job's checkpoints when a stop with savepoint finishes it: the engine forgets them
// instead of offering a restore from files that are gone; the stop's snapshot is what remains.
func TestCheckpointsDiscardedByAStopWithSavepointAreForgotten(t *testing.T) {
	t.Parallel()
	fe := newFlinkEnv(t)
	c := fe.c
	ns := c.Namespace(t, fe.ws.ID, "ns")
	dep := c.Deployment(t, ns.ID, "counts", sqlDeployment(countingSQL("swsp-"+ns.ID)))
	startJob(t, c, dep.ID, api.StartRequest{})
	cp := checkpoints(t, c, dep.ID, 1)[0]
	stopJob(t, c, dep.ID, api.StopWithSavepoint)
	enginetest.Eventually(t, waitLong, "the discarded checkpoints to be forgotten", func() bool {
		var page api.Page[api.Checkpoint]
		c.Must(t, "GET", "/deployments/"+dep.ID+"/checkpoints", nil, &page)
		for _, x := range page.Items {
			if x.Status == api.CheckpointCompleted {
				if _, err := os.Stat(filepath.Join(fe.DataDir, "storage", x.StatePath, "_metadata")); err != nil {
					return false // listed but gone: not forgotten (yet)
				}
			}
		}
		return true
	})
	// Listed exactly when its files exist: a start from a checkpoint Flink discarded is refused as unknown.
	if _, err := os.Stat(filepath.Join(fe.DataDir, "storage", cp.StatePath, "_metadata")); os.IsNotExist(err) {
		c.Fails(t, http.StatusNotFound, api.CodeNotFound, "POST", "/deployments/"+dep.ID+"/start",
			api.StartRequest{RestoreStrategy: api.RestoreFromCheckpoint, CheckpointID: cp.ID})
	} else {
		t.Logf("Flink %s kept checkpoint %s after the stop with savepoint", cluster.Version, cp.ID)
	}
	var snaps api.Page[api.Snapshot]
	c.Must(t, "GET", "/snapshots?deployment_id="+dep.ID, nil, &snaps)
	if len(snaps.Items) != 1 || snaps.Items[0].Origin != api.OriginStopWithSavepoint || snaps.Items[0].Status != api.SnapshotCompleted {
		t.Fatalf("snapshots after the stop: %+v, want the stop's savepoint", snaps.Items)
	}
	startJob(t, c, dep.ID, api.StartRequest{RestoreStrategy: api.RestoreLatestState})
}

// retainedCheckpoint waits until a stopped deployment's checkpoint list shows only what Flink retained
// (the cluster decides how many: execution.checkpointing.num-retained) and returns the newest.
func retainedCheckpoint(t *testing.T, fe *flinkEnv, depID string) api.Checkpoint {
	t.Helper()
	var listed []api.Checkpoint
	enginetest.Eventually(t, waitLong, "the checkpoint list of "+depID+" to show only retained checkpoints", func() bool {
		listed = checkpoints(t, fe.c, depID, 1)
		for _, x := range listed {
			if _, err := os.Stat(filepath.Join(fe.DataDir, "storage", x.StatePath, "_metadata")); err != nil {
				return false
			}
		}
		return true
	})
	return listed[0]
}

// With replicas, a stop with savepoint may reach another replica than the one that watches the job: the
// watcher sees the job end on the cluster while the stopping replica still records the savepoint. The job
// must read CANCELLED only once that snapshot is COMPLETED, as on one replica, or a LATEST_STATE start in
// between goes back to older state. A snapshot or stop that reaches the replica that does not watch the
// job acts on it all the same (the Flink runtime acts only on jobs it watches: it watches it meanwhile).
func TestStopWithSavepointThroughAnotherReplicaEndsTheJobAfterItsSnapshot(t *testing.T) {
	t.Parallel()
	watcher := enginetest.Start(t, enginetest.Options{DataDir: flinkDataDir(t), LeasePeriod: 2 * time.Second})
	stopper := enginetest.Start(t, enginetest.Options{DataDir: watcher.DataDir, LeasePeriod: 2 * time.Second})
	cw, cs := watcher.Admin(), stopper.Admin()
	ws := flinkWorkspace(t, cw, "flink-ws")
	t.Cleanup(func() { cancelJobsOf(t, cw, ws.ID) })
	ns := cw.Namespace(t, ws.ID, "ns")
	dep := cw.Deployment(t, ns.ID, "counts", sqlDeployment(countingSQL("replica-stop-"+ns.ID)))
	startJob(t, cw, dep.ID, api.StartRequest{}) // the replica that starts a job watches it
	checkpoints(t, cw, dep.ID, 1)
	if w, s := jobLeases(watcher), jobLeases(stopper); w != 1 || s != 0 {
		t.Fatalf("job leases: %d on the starting replica, %d on the other; want the starting one to watch the job", w, s)
	}

	// A snapshot through the other replica is taken as well (it failed: that runtime did not know the job).
	snapshot(t, cs, dep.ID, api.FormatCanonical)
	if w, s := jobLeases(watcher), jobLeases(stopper); w != 1 || s != 0 {
		t.Fatalf("job leases after a snapshot through the other replica: %d and %d, want the watcher to keep the job", w, s)
	}

	job := stopJob(t, cs, dep.ID, api.StopWithSavepoint)
	snap := cs.StopSnapshotBeforeEnd(t, dep.ID, job)
	restarted := startJob(t, cs, dep.ID, api.StartRequest{RestoreStrategy: api.RestoreLatestState})
	if restarted.RestoredFrom != snap.ID {
		t.Fatalf("LATEST_STATE restored from %q, want the stop's snapshot %s", restarted.RestoredFrom, snap.ID)
	}
}

// jobLeases counts the job leases a replica holds.
func jobLeases(env *enginetest.Env) int {
	st, _ := env.Engine.ReplicaStats()
	return st.HeldByKind["job"]
}
