package engine_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/enginetest"
)

const srcSQL = "INSERT INTO sink SELECT * FROM src"

// listSnapshots returns one page of GET /snapshots with the query.
func listSnapshots(t *testing.T, c *enginetest.Client, query string) api.Page[api.Snapshot] {
	t.Helper()
	var page api.Page[api.Snapshot]
	c.Must(t, "GET", "/snapshots?"+query, nil, &page)
	return page
}

func snapshotDir(t *testing.T, s api.Snapshot) string {
	t.Helper()
	if !strings.HasPrefix(s.Location, "file://") {
		t.Fatalf("snapshot %s location %q is not on the filesystem", s.ID, s.Location)
	}
	return strings.TrimPrefix(s.Location, "file://")
}

func TestSnapshotsAreListedNewestFirstPagedAndOnlyToReaders(t *testing.T) {
	t.Parallel()
	env := enginetest.Start(t, enginetest.Options{})
	c := env.Admin()
	ns := c.Namespace(t, c.Workspace(t, "ws").ID, "ns")
	dep := c.Deployment(t, ns.ID, "job", enginetest.SQLDeployment(srcSQL))

	c.Fails(t, http.StatusConflict, api.CodeJobNotRunning, "POST", "/deployments/"+dep.ID+"/snapshots", api.SnapshotRequest{})
	job := c.StartRunning(t, dep.ID, api.StartRequest{})
	var made []api.Snapshot
	for _, d := range []string{"first", "second", "third"} {
		made = append(made, c.Snapshot(t, dep.ID, api.SnapshotRequest{Description: d, Format: api.FormatNative}))
	}

	first := listSnapshots(t, c, "deployment_id="+dep.ID+"&limit=2")
	if len(first.Items) != 2 || first.Items[0].ID != made[2].ID || first.Items[1].ID != made[1].ID || first.NextPageToken == "" {
		t.Fatalf("first page = %+v, want the two newest and a next token", first)
	}
	second := listSnapshots(t, c, "deployment_id="+dep.ID+"&limit=2&page_token="+first.NextPageToken)
	if len(second.Items) != 1 || second.Items[0].ID != made[0].ID || second.NextPageToken != "" {
		t.Fatalf("second page = %+v, want the oldest and no token", second)
	}
	if got := listSnapshots(t, c, "deployment_id="+dep.ID+"&job_id="+job.ID+"&origin=USER_REQUEST&status=COMPLETED"); len(got.Items) != 3 {
		t.Fatalf("filtered by job, origin and status: %d snapshots, want 3", len(got.Items))
	}
	if got := listSnapshots(t, c, "deployment_id="+dep.ID+"&origin=AUTO_TRIGGERED"); len(got.Items) != 0 {
		t.Fatalf("no snapshot was auto-triggered, listed %d", len(got.Items))
	}
	if got := listSnapshots(t, c, "namespace_id="+ns.ID); len(got.Items) != 3 {
		t.Fatalf("listed by namespace: %d snapshots, want 3", len(got.Items))
	}
	prob := c.Fails(t, http.StatusBadRequest, api.CodeInvalidArgument, "GET", "/snapshots", nil)
	if !strings.Contains(prob.Detail, "deployment_id") {
		t.Fatalf("a listing without a scope should name deployment_id: %s", prob.Detail)
	}
	c.Fails(t, http.StatusBadRequest, api.CodeInvalidArgument, "GET", "/snapshots?deployment_id="+dep.ID+"&status=DONE", nil)

	stranger := env.As(c.NewToken(t, "sam"))
	stranger.Fails(t, http.StatusForbidden, api.CodeForbidden, "GET", "/snapshots?deployment_id="+dep.ID, nil)
	stranger.Fails(t, http.StatusForbidden, api.CodeForbidden, "GET", "/snapshots?namespace_id="+ns.ID, nil)
	stranger.Fails(t, http.StatusForbidden, api.CodeForbidden, "GET", "/snapshots/"+made[0].ID, nil)
	c.Member(t, ns.ID, "sam", api.RoleViewer)
	if got := listSnapshots(t, stranger, "deployment_id="+dep.ID); len(got.Items) != 3 {
		t.Fatalf("a viewer lists %d snapshots, want 3", len(got.Items))
	}
	stranger.Fails(t, http.StatusForbidden, api.CodeForbidden, "DELETE", "/snapshots/"+made[0].ID, nil)

	// Deleting removes the files, then the record.
	dir := snapshotDir(t, made[0])
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("snapshot files before delete: %v", err)
	}
	c.Must(t, "DELETE", "/snapshots/"+made[0].ID, nil, nil)
	c.Fails(t, http.StatusNotFound, api.CodeNotFound, "GET", "/snapshots/"+made[0].ID, nil)
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("snapshot directory %s still exists after delete: %v", dir, err)
	}
}

func TestCheckpointsCannotBeCreatedOrDeletedThroughTheAPI(t *testing.T) {
	t.Parallel()
	env := enginetest.Start(t, enginetest.Options{})
	c := env.Admin()
	ns := c.Namespace(t, c.Workspace(t, "ws").ID, "ns")
	dep := c.Deployment(t, ns.ID, "job", enginetest.SQLDeployment(srcSQL))
	c.StartRunning(t, dep.ID, api.StartRequest{})
	cp := c.WaitCheckpoints(t, dep.ID, 1)[0]
	// No route writes checkpoints. The list answers GET only: 405 naming GET for the rest. A single
	// checkpoint has no route at all: the catch-all's 404 says so (a handler's not_found would not), so a
	// route added by mistake fails here even if it answered 404.
	for _, method := range []string{"POST", "DELETE", "PUT"} {
		p := c.Fails(t, http.StatusMethodNotAllowed, api.CodeMethodNotAllowed, method, "/deployments/"+dep.ID+"/checkpoints", nil)
		if !strings.Contains(p.Detail, "use GET") {
			t.Fatalf("%s on the checkpoint list: the refusal should name GET: %s", method, p.Detail)
		}
		p = c.Fails(t, http.StatusNotFound, api.CodeNotFound, method, "/deployments/"+dep.ID+"/checkpoints/"+cp.ID, nil)
		if !strings.Contains(p.Detail, "no route") {
			t.Fatalf("%s on one checkpoint reached a handler (%s): checkpoints are system-managed", method, p.Detail)
		}
	}
	if got := c.WaitCheckpoints(t, dep.ID, 1); got[0].Sequence < cp.Sequence {
		t.Fatalf("checkpoints went backwards: %d after %d", got[0].Sequence, cp.Sequence)
	}
}

// A delete whose files cannot be removed keeps the record in FAILED_DELETION, so the bytes are never
// orphaned; deleting again once storage works finishes the job. The failure is real: the namespace's
// snapshots directory is replaced by a regular file, so removing a path under it fails with ENOTDIR
// (root included — unlike permission bits, which root ignores).
func TestSnapshotDeleteThatFailsLeavesFailedDeletion(t *testing.T) {
	t.Parallel()
	env := enginetest.Start(t, enginetest.Options{})
	c := env.Admin()
	ns := c.Namespace(t, c.Workspace(t, "ws").ID, "ns")
	dep := c.Deployment(t, ns.ID, "job", enginetest.SQLDeployment(srcSQL))
	c.StartRunning(t, dep.ID, api.StartRequest{})
	snap := c.Snapshot(t, dep.ID, api.SnapshotRequest{})
	c.Must(t, "POST", "/deployments/"+dep.ID+"/stop", api.StopRequest{}, nil)
	c.WaitJob(t, dep.ID, api.JobCancelled)

	dir := snapshotDir(t, snap)
	parent := filepath.Dir(dir)
	aside := parent + ".aside"
	if err := os.Rename(parent, aside); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(parent, []byte("not a directory"), 0o644); err != nil {
		t.Fatal(err)
	}
	status, prob := c.Do(t, "DELETE", "/snapshots/"+snap.ID, nil, nil)
	if status < 500 || !strings.Contains(prob.Detail, "FAILED_DELETION") {
		t.Fatalf("delete with broken storage: %d %s %s, want a 5xx that says FAILED_DELETION", status, prob.Code, prob.Detail)
	}
	var got api.Snapshot
	c.Must(t, "GET", "/snapshots/"+snap.ID, nil, &got)
	if got.Status != api.SnapshotFailedDeletion || !strings.Contains(got.Failure, "deleting the files failed") {
		t.Fatalf("after the failed delete: %s %q, want FAILED_DELETION with the cause", got.Status, got.Failure)
	}
	if got := listSnapshots(t, c, "deployment_id="+dep.ID+"&status=FAILED_DELETION"); len(got.Items) != 1 {
		t.Fatalf("FAILED_DELETION snapshots listed: %d, want 1", len(got.Items))
	}
	// Storage repaired: the retry deletes files and record.
	if err := os.Remove(parent); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(aside, parent); err != nil {
		t.Fatal(err)
	}
	c.Must(t, "DELETE", "/snapshots/"+snap.ID, nil, nil)
	c.Fails(t, http.StatusNotFound, api.CodeNotFound, "GET", "/snapshots/"+snap.ID, nil)
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("snapshot directory still there after the retried delete: %v", err)
	}
}

func TestOverviewShowsLastSuccessfulAndFailedStateSets(t *testing.T) {
	t.Parallel()
	env := enginetest.Start(t, enginetest.Options{})
	c := env.Admin()
	ns := c.Namespace(t, c.Workspace(t, "ws").ID, "ns")
	spec := enginetest.SQLDeployment(srcSQL)
	dep := c.Deployment(t, ns.ID, "job", spec)

	var ov api.StateOverview
	c.Must(t, "GET", "/deployments/"+dep.ID+"/overview", nil, &ov)
	if ov.LastCheckpoint != nil || ov.LastSnapshot != nil || ov.LastFailedCheckpoint != nil || ov.LastFailedSnapshot != nil {
		t.Fatalf("a deployment that never ran has an overview: %+v", ov)
	}
	c.StartRunning(t, dep.ID, api.StartRequest{})
	good := c.Snapshot(t, dep.ID, api.SnapshotRequest{})
	c.WaitCheckpoints(t, dep.ID, 1)
	c.Must(t, "POST", "/deployments/"+dep.ID+"/stop", api.StopRequest{}, nil)
	c.WaitJob(t, dep.ID, api.JobCancelled)
	lastGood := c.WaitCheckpoints(t, dep.ID, 1)[0]

	// The same job with checkpoints and snapshots that fail.
	spec.FlinkConfiguration["local.checkpoint-failure"] = "true"
	spec.FlinkConfiguration["local.savepoint-failure"] = "true"
	raw, _ := json.Marshal(spec)
	c.Must(t, "PUT", "/objects/"+dep.ID, api.ObjectInput{Spec: raw}, nil)
	c.StartRunning(t, dep.ID, api.StartRequest{})
	var bad api.Snapshot
	c.Must(t, "POST", "/deployments/"+dep.ID+"/snapshots", api.SnapshotRequest{}, &bad)
	bad = c.WaitSnapshot(t, bad.ID, api.SnapshotFailed)
	enginetest.Eventually(t, 20*time.Second, "a failed checkpoint in the overview", func() bool {
		c.Must(t, "GET", "/deployments/"+dep.ID+"/overview", nil, &ov)
		return ov.LastFailedCheckpoint != nil
	})

	if m := ov.LastCheckpoint; m == nil || m.ID != lastGood.ID || m.FullSizeBytes != lastGood.FullSizeByte || m.FullSizeBytes == 0 ||
		m.Time.IsZero() || m.DurationMS != lastGood.DurationMS {
		t.Fatalf("last checkpoint = %+v, want %s (full size %d, duration %d)", m, lastGood.ID, lastGood.FullSizeByte, lastGood.DurationMS)
	}
	if m := ov.LastFailedCheckpoint; m.Failure == "" || m.Time.IsZero() {
		t.Fatalf("last failed checkpoint = %+v, want a failure and a time", m)
	}
	if m := ov.LastSnapshot; m == nil || m.ID != good.ID || !m.Time.Equal(*good.CompletedAt) || m.DurationMS != good.DurationMS {
		t.Fatalf("last snapshot = %+v, want %s completed at %s", m, good.ID, good.CompletedAt)
	}
	if m := ov.LastFailedSnapshot; m == nil || m.ID != bad.ID || m.Failure == "" || !m.Time.Equal(*bad.CompletedAt) {
		t.Fatalf("last failed snapshot = %+v, want %s with its failure time", m, bad.ID)
	}
	if ov.SnapshotCount != 2 || ov.CheckpointCount < 1 {
		t.Fatalf("counts: %d snapshots, %d checkpoints", ov.SnapshotCount, ov.CheckpointCount)
	}
	viewer := env.As(c.NewToken(t, "val"))
	viewer.Fails(t, http.StatusForbidden, api.CodeForbidden, "GET", "/deployments/"+dep.ID+"/overview", nil)
	c.Member(t, ns.ID, "val", api.RoleViewer)
	viewer.Must(t, "GET", "/deployments/"+dep.ID+"/overview", nil, nil)
}

func TestRestoreFromAnotherDeploymentsSnapshot(t *testing.T) {
	t.Parallel()
	env := enginetest.Start(t, enginetest.Options{})
	admin := env.Admin()
	ws := admin.Workspace(t, "ws")
	source := admin.Namespace(t, ws.ID, "source")
	target := admin.Namespace(t, ws.ID, "target")
	origin := admin.Deployment(t, source.ID, "origin", enginetest.SQLDeployment(srcSQL))
	twin := admin.Deployment(t, target.ID, "twin", enginetest.SQLDeployment(srcSQL))
	other := admin.Deployment(t, target.ID, "other", enginetest.SQLDeployment("INSERT INTO sink SELECT id, name FROM src WHERE id > 0"))
	admin.StartRunning(t, origin.ID, api.StartRequest{})
	snap := admin.Snapshot(t, origin.ID, api.SnapshotRequest{Description: "dual run"})

	rita := env.As(admin.NewToken(t, "rita"))
	admin.Member(t, target.ID, "rita", api.RoleEditor)
	fromSnap := api.StartRequest{RestoreStrategy: api.RestoreFromSavepoint, SnapshotID: snap.ID}

	// Editor on the target but nothing on the source: the snapshot is not found, like a path id would be.
	prob := rita.Fails(t, http.StatusNotFound, api.CodeNotFound, "POST", "/deployments/"+twin.ID+"/start", fromSnap)
	if !strings.Contains(prob.Detail, snap.ID) || strings.Contains(prob.Detail, source.ID) {
		t.Fatalf("404 should name the snapshot sent and nothing of its namespace: %s", prob.Detail)
	}
	admin.Member(t, source.ID, "rita", api.RoleViewer)
	job := rita.StartRunning(t, twin.ID, fromSnap)
	if job.RestoredFrom != snap.ID || job.StartOffset != snap.Offset {
		t.Fatalf("twin restored from %q at %d, want %s at %d", job.RestoredFrom, job.StartOffset, snap.ID, snap.Offset)
	}
	// Only a stopped job is restored.
	rita.Fails(t, http.StatusConflict, api.CodeJobNotStopped, "POST", "/deployments/"+twin.ID+"/start", fromSnap)

	// Different SQL means a different state layout: refused unless non-restored state is allowed.
	prob = rita.Fails(t, http.StatusConflict, api.CodeIncompatibleState, "POST", "/deployments/"+other.ID+"/start", fromSnap)
	if !strings.Contains(prob.Detail, "allow_non_restored_state") {
		t.Fatalf("incompatible_state should say how to proceed: %s", prob.Detail)
	}
	if j, _, _ := jobOf(t, rita, other.ID); j.Status == api.JobRunning {
		t.Fatal("a refused start left the job running")
	}
	fromSnap.AllowNonRestoredState = true
	forced := rita.StartRunning(t, other.ID, fromSnap)
	if forced.RestoredFrom != snap.ID {
		t.Fatalf("forced start restored from %q, want %s", forced.RestoredFrom, snap.ID)
	}
}

// jobOf returns the deployment's latest job, or ok=false when it never ran.
func jobOf(t *testing.T, c *enginetest.Client, depID string) (api.Job, bool, api.Problem) {
	t.Helper()
	var job api.Job
	status, prob := c.Do(t, "GET", "/deployments/"+depID+"/job", nil, &job)
	return job, status == http.StatusOK, prob
}

func TestRestoreNeedsACompletedSnapshot(t *testing.T) {
	t.Parallel()
	env := enginetest.Start(t, enginetest.Options{})
	c := env.Admin()
	ns := c.Namespace(t, c.Workspace(t, "ws").ID, "ns")
	spec := enginetest.SQLDeployment(srcSQL)
	spec.FlinkConfiguration["local.savepoint-failure"] = "true"
	failing := c.Deployment(t, ns.ID, "failing", spec)
	c.StartRunning(t, failing.ID, api.StartRequest{})
	var bad api.Snapshot
	c.Must(t, "POST", "/deployments/"+failing.ID+"/snapshots", api.SnapshotRequest{}, &bad)
	c.WaitSnapshot(t, bad.ID, api.SnapshotFailed)
	target := c.Deployment(t, ns.ID, "target", enginetest.SQLDeployment(srcSQL))
	c.Fails(t, http.StatusConflict, api.CodeConflict, "POST", "/deployments/"+target.ID+"/start",
		api.StartRequest{RestoreStrategy: api.RestoreFromSavepoint, SnapshotID: bad.ID})
	c.Fails(t, http.StatusNotFound, api.CodeNotFound, "POST", "/deployments/"+target.ID+"/start",
		api.StartRequest{RestoreStrategy: api.RestoreFromSavepoint, SnapshotID: "snap-missing"})
}

func TestStateParametersAreValidatedAndIncrementalCheckpointsWriteLess(t *testing.T) {
	t.Parallel()
	env := enginetest.Start(t, enginetest.Options{})
	c := env.Admin()
	ns := c.Namespace(t, c.Workspace(t, "ws").ID, "ns")
	for key, value := range map[string]string{"state.backend.incremental": "sometimes", "table.exec.state.ttl": "forever"} {
		spec := enginetest.SQLDeployment(srcSQL)
		spec.FlinkConfiguration[key] = value
		raw, _ := json.Marshal(spec)
		prob := c.Fails(t, http.StatusBadRequest, api.CodeInvalidArgument, "POST", "/namespaces/"+ns.ID+"/objects/deployments",
			api.ObjectInput{Name: "bad", Spec: raw})
		if !strings.Contains(prob.Detail, key) {
			t.Fatalf("the 400 for %s = %q should name the key: %s", key, value, prob.Detail)
		}
	}

	spec := enginetest.SQLDeployment(srcSQL)
	spec.FlinkConfiguration["state.backend.incremental"] = "true"
	spec.FlinkConfiguration["table.exec.state.ttl"] = "129600000"
	spec.FlinkConfiguration["local.chunk-bytes"] = "4kb"
	inc := c.Deployment(t, ns.ID, "incremental", spec)
	full := c.Deployment(t, ns.ID, "full", enginetest.SQLDeployment(srcSQL))
	c.StartRunning(t, inc.ID, api.StartRequest{})
	c.StartRunning(t, full.ID, api.StartRequest{})

	var later api.Checkpoint
	enginetest.Eventually(t, 20*time.Second, "an incremental checkpoint after the first", func() bool {
		later = c.WaitCheckpoints(t, inc.ID, 1)[0]
		return later.Sequence >= 3
	})
	if !later.Incremental || later.SizeBytes >= later.FullSizeByte || later.SizeBytes == 0 {
		t.Fatalf("incremental checkpoint %d: incremental=%v wrote %d of %d bytes, want less than the full size",
			later.Sequence, later.Incremental, later.SizeBytes, later.FullSizeByte)
	}
	plain := c.WaitCheckpoints(t, full.ID, 1)[0]
	if plain.Incremental || plain.SizeBytes != plain.FullSizeByte {
		t.Fatalf("full checkpoint: incremental=%v wrote %d of %d bytes, want all of it", plain.Incremental, plain.SizeBytes, plain.FullSizeByte)
	}
}
