package engine_test

import (
	"cmp"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/enginetest"
)

// checkpointDirs lists the chk-N directories of a job on disk.
func checkpointDirs(t *testing.T, env *enginetest.Env, job api.Job) []string {
	t.Helper()
	dir := filepath.Join(env.DataDir, "storage", "namespaces", job.NamespaceID, "checkpoints", job.DeploymentID, job.ID)
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() && len(e.Name()) > 4 && e.Name()[:4] == "chk-" {
			if _, err := os.Stat(filepath.Join(dir, e.Name(), "_metadata")); err == nil {
				out = append(out, e.Name())
			}
		}
	}
	sort.Strings(out)
	return out
}

// runningDeployment starts an engine with a running SQL deployment "job" in a namespace "ns".
func runningDeployment(t *testing.T) (*enginetest.Env, *enginetest.Client, api.Object, api.Job) {
	t.Helper()
	env := enginetest.Start(t, enginetest.Options{})
	c := env.Admin()
	ns := c.Namespace(t, c.Workspace(t, "ws").ID, "ns")
	dep := c.Deployment(t, ns.ID, "job", enginetest.SQLDeployment("INSERT INTO sink SELECT * FROM src"))
	return env, c, dep, c.StartRunning(t, dep.ID, api.StartRequest{})
}

func TestJobLifecycleWritesAndRetiresCheckpoints(t *testing.T) {
	t.Parallel()
	env := enginetest.Start(t, enginetest.Options{})
	c := env.Admin()
	ns := c.Namespace(t, c.Workspace(t, "ws").ID, "ns")
	spec := enginetest.SQLDeployment("INSERT INTO sink SELECT * FROM src")
	spec.Checkpoint.Retained = 2
	dep := c.Deployment(t, ns.ID, "job", spec)

	c.Fails(t, http.StatusNotFound, api.CodeNotFound, "GET", "/deployments/"+dep.ID+"/job", nil)
	c.Fails(t, http.StatusConflict, api.CodeJobNotRunning, "POST", "/deployments/"+dep.ID+"/stop", api.StopRequest{})
	job := c.StartRunning(t, dep.ID, api.StartRequest{})
	c.Fails(t, http.StatusConflict, api.CodeJobNotStopped, "POST", "/deployments/"+dep.ID+"/start", api.StartRequest{})

	// Several checkpoints complete; only the retained two stay on disk and in the records.
	cps := c.WaitCheckpoints(t, dep.ID, 2)
	enginetest.Eventually(t, 20*time.Second, "the third checkpoint", func() bool {
		cps = c.WaitCheckpoints(t, dep.ID, 2)
		return cps[0].Sequence >= 3
	})
	enginetest.Eventually(t, 10*time.Second, "two checkpoint directories on disk", func() bool {
		return len(checkpointDirs(t, env, job)) == 2
	})
	if cps[0].SizeBytes == 0 || cps[0].Location == "" || cps[0].Offset <= 0 {
		t.Fatalf("checkpoint record lacks size, location or offset: %+v", cps[0])
	}
	var obj api.Object
	c.Must(t, "GET", "/objects/"+dep.ID, nil, &obj)
	if obj.Status != api.JobRunning {
		t.Fatalf("deployment status = %s, want RUNNING", obj.Status)
	}

	c.Must(t, "POST", "/deployments/"+dep.ID+"/stop", api.StopRequest{Strategy: api.StopWithDrain}, nil)
	ended := c.WaitJob(t, dep.ID, api.JobFinished)
	if ended.EndedAt == nil {
		t.Fatal("a finished job has no end time")
	}
	c.StartRunning(t, dep.ID, api.StartRequest{RestoreStrategy: api.RestoreNone})
	c.Must(t, "POST", "/deployments/"+dep.ID+"/stop", api.StopRequest{}, nil)
	c.WaitJob(t, dep.ID, api.JobCancelled)
}

func TestRestartKeepsRecordsAndResumesRunningJobs(t *testing.T) {
	t.Parallel()
	env := enginetest.Start(t, enginetest.Options{})
	c := env.Admin()
	ws := c.Workspace(t, "ws")
	ns := c.Namespace(t, ws.ID, "ns")
	v := c.Object(t, ns.ID, api.KindVariable, "v", api.VariableSpec{Value: "1"})
	dep := c.Deployment(t, ns.ID, "job", enginetest.SQLDeployment("INSERT INTO sink SELECT * FROM src"))
	job := c.StartRunning(t, dep.ID, api.StartRequest{})
	cps := c.WaitCheckpoints(t, dep.ID, 1)

	env.Restart(t)
	c.Must(t, "GET", "/objects/"+v.ID, nil, nil)
	c.Must(t, "GET", "/workspaces/"+ws.ID, nil, nil)
	resumed := c.WaitJob(t, dep.ID, api.JobRunning)
	if resumed.ID != job.ID {
		t.Fatalf("the resumed job has id %s, want the same job %s", resumed.ID, job.ID)
	}
	if resumed.StartOffset < cps[0].Offset {
		t.Fatalf("resumed from offset %d, before the checkpoint's %d", resumed.StartOffset, cps[0].Offset)
	}
	// It keeps checkpointing after the restart, numbering on.
	enginetest.Eventually(t, 20*time.Second, "a checkpoint after the restart", func() bool {
		return c.WaitCheckpoints(t, dep.ID, 1)[0].Sequence > cps[0].Sequence
	})
}

// A checkpoint whose files are gone when the engine comes back (the runtime discarded it after its
// record was written, or its report was cut short by the stop) is not where the job resumes: the newest
// checkpoint that is still on disk is.
func TestRestartResumesFromTheNewestCheckpointStillOnDisk(t *testing.T) {
	t.Parallel()
	env := enginetest.Start(t, enginetest.Options{})
	c := env.Admin()
	ns := c.Namespace(t, c.Workspace(t, "ws").ID, "ns")
	spec := enginetest.SQLDeployment("INSERT INTO sink SELECT * FROM src")
	spec.Checkpoint.Retained = 2
	dep := c.Deployment(t, ns.ID, "job", spec)
	job := c.StartRunning(t, dep.ID, api.StartRequest{})
	enginetest.Eventually(t, 20*time.Second, "two checkpoints on disk", func() bool {
		return len(checkpointDirs(t, env, job)) == 2 && len(c.WaitCheckpoints(t, dep.ID, 2)) >= 2
	})

	env.Stop(t)
	// Two, or three when the stop came between a checkpoint's write and the discard of the oldest.
	dirs := checkpointDirs(t, env, job)
	if len(dirs) < 2 {
		t.Fatalf("setup: checkpoint directories after the stop = %v, want at least 2", dirs)
	}
	jobDir := filepath.Join(env.DataDir, "storage", "namespaces", job.NamespaceID, "checkpoints", job.DeploymentID, job.ID)
	newest := slices.MaxFunc(dirs, func(a, b string) int { // by number: chk-10 sorts before chk-9
		na, _ := strconv.Atoi(strings.TrimPrefix(a, "chk-"))
		nb, _ := strconv.Atoi(strings.TrimPrefix(b, "chk-"))
		return cmp.Compare(na, nb)
	})
	if err := os.RemoveAll(filepath.Join(jobDir, newest)); err != nil {
		t.Fatal(err)
	}
	env.Restart(t)

	resumed := c.WaitJob(t, dep.ID, api.JobRunning)
	if resumed.ID != job.ID {
		t.Fatalf("the resumed job has id %s, want the same job %s", resumed.ID, job.ID)
	}
	for _, cp := range c.WaitCheckpoints(t, dep.ID, 1) {
		if strings.HasSuffix(cp.ID, "-"+newest) {
			t.Fatalf("checkpoint %s is still offered after its files were removed", cp.ID)
		}
	}
}

func TestRestoreContinuesFromTheSnapshotOffset(t *testing.T) {
	t.Parallel()
	_, c, dep, _ := runningDeployment(t)
	c.WaitCheckpoints(t, dep.ID, 1)
	snap := c.Snapshot(t, dep.ID, api.SnapshotRequest{Description: "before"})
	if snap.Offset <= 0 || snap.SizeBytes == 0 {
		t.Fatalf("snapshot has no offset or size: %+v", snap)
	}
	c.Must(t, "POST", "/deployments/"+dep.ID+"/stop", api.StopRequest{}, nil)
	c.WaitJob(t, dep.ID, api.JobCancelled)

	job := c.StartRunning(t, dep.ID, api.StartRequest{RestoreStrategy: api.RestoreFromSavepoint, SnapshotID: snap.ID})
	if job.StartOffset != snap.Offset || job.RestoredFrom != snap.ID {
		t.Fatalf("restored job starts at %d from %q, want %d from %s", job.StartOffset, job.RestoredFrom, snap.Offset, snap.ID)
	}
}

func TestDeletingADeploymentRemovesItsState(t *testing.T) {
	t.Parallel()
	env, c, dep, job := runningDeployment(t)
	c.WaitCheckpoints(t, dep.ID, 1)
	snap := c.Snapshot(t, dep.ID, api.SnapshotRequest{})
	snapDir := snapshotDir(t, snap) // where the engine says the files are, not a path guessed here
	if n := countFiles(t, snapDir); n == 0 {
		t.Fatalf("setup: snapshot %s has no files at %s", snap.ID, snapDir)
	}
	if dirs := checkpointDirs(t, env, job); len(dirs) == 0 {
		t.Fatal("setup: no checkpoint directories while the job runs")
	}

	c.Must(t, "DELETE", "/objects/"+dep.ID, nil, nil)
	c.Fails(t, http.StatusNotFound, api.CodeNotFound, "GET", "/snapshots/"+snap.ID, nil)
	if dirs := checkpointDirs(t, env, job); len(dirs) != 0 {
		t.Fatalf("checkpoints remain after the deployment was deleted: %v", dirs)
	}
	if _, err := os.Stat(snapDir); !os.IsNotExist(err) {
		t.Fatalf("snapshot files remain at %s after the deployment was deleted (stat: %v)", snapDir, err)
	}
}

func TestRestoreFromARetainedCheckpoint(t *testing.T) {
	t.Parallel()
	env := enginetest.Start(t, enginetest.Options{})
	c := env.Admin()
	ns := c.Namespace(t, c.Workspace(t, "ws").ID, "ns")
	dep := c.Deployment(t, ns.ID, "job", enginetest.SQLDeployment("INSERT INTO sink SELECT * FROM src"))
	other := c.Deployment(t, ns.ID, "other", enginetest.SQLDeployment("INSERT INTO sink SELECT * FROM src"))
	c.StartRunning(t, dep.ID, api.StartRequest{})
	c.WaitCheckpoints(t, dep.ID, 1)
	c.Must(t, "POST", "/deployments/"+dep.ID+"/stop", api.StopRequest{}, nil)
	c.WaitJob(t, dep.ID, api.JobCancelled)
	// Read the checkpoint after the stop: one taken before it may already be discarded (one is retained).
	cp := c.WaitCheckpoints(t, dep.ID, 1)[0]

	// The retained checkpoint is what a stopped job restarts from, named by id.
	c.Fails(t, http.StatusBadRequest, api.CodeInvalidArgument, "POST", "/deployments/"+dep.ID+"/start",
		api.StartRequest{RestoreStrategy: api.RestoreFromCheckpoint})
	c.Fails(t, http.StatusBadRequest, api.CodeInvalidArgument, "POST", "/deployments/"+other.ID+"/start",
		api.StartRequest{RestoreStrategy: api.RestoreFromCheckpoint, CheckpointID: cp.ID})
	job := c.StartRunning(t, dep.ID, api.StartRequest{RestoreStrategy: api.RestoreFromCheckpoint, CheckpointID: cp.ID})
	if job.RestoredFrom != cp.ID || job.StartOffset != cp.Offset {
		t.Fatalf("restored job starts at %d from %q, want %d from %s", job.StartOffset, job.RestoredFrom, cp.Offset, cp.ID)
	}
}

// A job stopped with a savepoint reads CANCELLED only once the stop's snapshot is COMPLETED: a
// LATEST_STATE start or a stateful clone that sees the job stopped must find its savepoint. Runtimes
// report the end before they hand the savepoint back (the local one from inside Stop), so the engine
// records the end after the snapshot: the job's end time is not before the snapshot's completion.
func TestStopWithSavepointEndsTheJobAfterItsSnapshot(t *testing.T) {
	t.Parallel()
	_, c, dep, _ := runningDeployment(t)
	c.Must(t, "POST", "/deployments/"+dep.ID+"/stop", api.StopRequest{Strategy: api.StopWithSavepoint}, nil)
	job := c.WaitJob(t, dep.ID, api.JobCancelled)
	snap := c.StopSnapshotBeforeEnd(t, dep.ID, job)
	restarted := c.StartRunning(t, dep.ID, api.StartRequest{RestoreStrategy: api.RestoreLatestState})
	if restarted.RestoredFrom != snap.ID {
		t.Fatalf("LATEST_STATE restored from %q, want the stop's snapshot %s", restarted.RestoredFrom, snap.ID)
	}
}
