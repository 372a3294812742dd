package flink

import (
	"context"
	"errors"
	"testing"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/blob"
	"github.com/streamstate/terraform-provider-flink/internal/runtime"
)

// A new runtime (an engine restart) adopts a running job by its handle and never submits it again; a
// second Start of the same engine job adopts too; an id the cluster does not know is ErrUnknownJob.
func TestRecoverAdoptsWithoutResubmitting(t *testing.T) {
	first := newRuntime(t)
	store := newStore(t)
	spec := sqlSpec(t, store, newRecorder(), "recover")
	handle := start(t, first, spec)
	first.Close() // the engine goes away; the job keeps running
	jobs := clusterJobs(t, first)
	if jobs[handle] != "RUNNING" && jobs[handle] != "CREATED" && jobs[handle] != "INITIALIZING" {
		t.Fatalf("after Close the job is %q on the cluster, want it still running", jobs[handle])
	}

	second := newRuntime(t)
	ev := newRecorder()
	spec.Events = ev
	if err := second.Recover(context.Background(), spec, handle); err != nil {
		t.Fatalf("recover: %v", err)
	}
	ev.waitStatus(t, api.JobRunning)
	ev.waitCheckpoints(t, 1)
	// A repeated start (the engine crashed between submitting and recording) adopts as well.
	again, err := second.Start(context.Background(), spec)
	if err != nil || again != handle {
		t.Fatalf("second Start = %q, %v; want the adopted %q", again, err, handle)
	}
	if got := clusterJobs(t, second); len(got) != len(jobs) {
		t.Fatalf("the cluster has %d jobs after Recover and a repeated Start, %d before: something was resubmitted", len(got), len(jobs))
	}
	if _, err := second.Stop(context.Background(), spec.JobID, api.StopNone, nil); err != nil {
		t.Fatal(err)
	}
	if got := ev.lastStatus(); got.Status != api.JobCancelled {
		t.Fatalf("last status %+v, want CANCELLED", got)
	}

	unknown := sqlSpec(t, store, newRecorder(), "unknown")
	if err := second.Recover(context.Background(), unknown, ""); !errors.Is(err, runtime.ErrUnknownJob) {
		t.Fatalf("recover of a job the cluster never ran: err = %v, want ErrUnknownJob", err)
	}
}

// A savepoint copied to another store and prefix restores; a checkpoint is not relocatable.
func TestCopyStateThenStartFromTheCopy(t *testing.T) {
	rt := newRuntime(t)
	store := newStore(t)
	ev := newRecorder()
	spec := jarSpec(t, store, ev, "copy")
	offset0 := len(cluster.stdout(t))
	start(t, rt, spec)
	ev.waitStatus(t, api.JobRunning)
	cps := ev.waitCheckpoints(t, 1)
	res, err := rt.Stop(context.Background(), spec.JobID, api.StopWithSavepoint, &runtime.SavepointTarget{Storage: store, Prefix: "snapshots", Format: "NATIVE"})
	if err != nil {
		t.Fatal(err)
	}
	saved, _ := jarCounts(cluster.stdout(t)[offset0:])

	other := newStore(t)
	info, err := rt.CopyState(context.Background(), runtime.StateRef{Storage: store, Prefix: res.Prefix}, other, "cloned/snap-1")
	if err != nil {
		t.Fatalf("copy: %v", err)
	}
	var files int
	var size int64
	if err := other.List(context.Background(), "cloned/snap-1/", func(i blob.Info) error { files++; size += i.Size; return nil }); err != nil {
		t.Fatal(err)
	}
	if info.Files != files || info.SizeBytes != size || size != res.SizeBytes {
		t.Fatalf("copy reported %d files, %d bytes; the copy holds %d files, %d bytes; the savepoint %d bytes", info.Files, info.SizeBytes, files, size, res.SizeBytes)
	}
	if _, err := rt.CopyState(context.Background(), runtime.StateRef{Storage: store, Prefix: cps[0].Prefix, Checkpoint: true}, other, "cloned/chk"); !errors.Is(err, runtime.ErrNotRelocatable) {
		t.Fatalf("copy of a checkpoint: err = %v, want ErrNotRelocatable", err)
	}

	offset := len(cluster.stdout(t))
	ev2 := newRecorder()
	spec2 := jarSpec(t, other, ev2, "copy")
	spec2.Restore = &runtime.RestoreSource{Storage: other, Prefix: "cloned/snap-1"}
	start(t, rt, spec2)
	ev2.waitStatus(t, api.JobRunning)
	assertContinues(t, saved, waitOutput(t, offset, jarParse, 1))
}
