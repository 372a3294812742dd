package flink

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/blob"
	"github.com/streamstate/terraform-provider-flink/internal/runtime"
)

func jarParse(s string) counts { c, _ := jarCounts(s); return c }

// The test jar runs, checkpoints, savepoints in both formats, stops with a savepoint, and a restore from
// it continues the keyed counts and the source's sequence.
func TestJarJobSavepointStopAndRestore(t *testing.T) {
	rt := newRuntime(t)
	store := newStore(t)
	ev := newRecorder()
	offset := len(cluster.stdout(t))
	spec := jarSpec(t, store, ev, "jar")
	start(t, rt, spec)
	var jars struct {
		Files []struct {
			ID string `json:"id"`
		} `json:"files"`
	}
	if err := rt.jm.rest.do(context.Background(), "GET", "/jars", nil, &jars); err != nil || len(jars.Files) != 0 {
		t.Fatalf("after Start the cluster holds uploaded jars %+v (%v); want them deleted", jars.Files, err)
	}
	ev.waitStatus(t, api.JobRunning)
	for _, cp := range ev.waitCheckpoints(t, 2) {
		assertCheckpointOnDisk(t, store, spec, cp)
	}
	for _, format := range []string{api.FormatCanonical, "NATIVE"} {
		res, err := rt.Savepoint(context.Background(), spec.JobID, runtime.SavepointTarget{Storage: store, Prefix: "snapshots/" + format, Format: format})
		if err != nil {
			t.Fatalf("%s savepoint: %v", format, err)
		}
		assertSavepoint(t, store, "snapshots/"+format, res)
	}
	res, err := rt.Stop(context.Background(), spec.JobID, api.StopWithSavepoint, &runtime.SavepointTarget{Storage: store, Prefix: "snapshots/stop"})
	if err != nil {
		t.Fatalf("stop with savepoint: %v", err)
	}
	if got := ev.lastStatus(); got.Status != api.JobCancelled {
		t.Fatalf("last status %+v, want CANCELLED", got)
	}
	saved, seqs := jarCounts(cluster.stdout(t)[offset:])
	if len(seqs) == 0 {
		t.Fatalf("the test jar printed nothing")
	}

	offset = len(cluster.stdout(t))
	ev2 := newRecorder()
	spec2 := jarSpec(t, store, ev2, "jar")
	spec2.Restore = &runtime.RestoreSource{Storage: store, Prefix: res.Prefix}
	start(t, rt, spec2)
	ev2.waitStatus(t, api.JobRunning)
	after := waitOutput(t, offset, jarParse, 1)
	assertContinues(t, saved, after)
	_, seqs2 := jarCounts(cluster.stdout(t)[offset:])
	if seqs2[0] != seqs[len(seqs)-1]+1 {
		t.Fatalf("the sequence continued at %d after the restore, want %d", seqs2[0], seqs[len(seqs)-1]+1)
	}
}

// A cancelled job keeps its latest checkpoint (RETAIN_ON_CANCELLATION), and a job restored from it
// continues the counts.
func TestRestoreFromRetainedCheckpoint(t *testing.T) {
	rt := newRuntime(t)
	store := newStore(t)
	ev := newRecorder()
	spec := jarSpec(t, store, ev, "retained")
	offset0 := len(cluster.stdout(t))
	start(t, rt, spec)
	ev.waitStatus(t, api.JobRunning)
	ev.waitCheckpoints(t, 3)
	if _, err := rt.Stop(context.Background(), spec.JobID, api.StopNone, nil); err != nil {
		t.Fatal(err)
	}
	if got := ev.lastStatus(); got.Status != api.JobCancelled {
		t.Fatalf("last status %+v, want CANCELLED", got)
	}
	// A checkpoint Flink completed just before the cancel is reported by the watcher's look after the job
	// ended (Flink's checkpoint stats lag): until then the newest reported one may be the one that
	// checkpoint replaced and Flink deleted.
	ev.waitFor(t, "the newest reported checkpoint to be the one Flink retained", func() bool {
		if len(ev.completed) == 0 {
			return false
		}
		_, err := store.Stat(context.Background(), ev.completed[len(ev.completed)-1].Prefix+"/"+runtime.MetadataFile)
		return err == nil && len(ev.discarded) == len(ev.completed)-spec.Checkpoint.Retained
	})
	ev.mu.Lock()
	cps := append([]runtime.CheckpointInfo(nil), ev.completed...)
	discarded := append([]int64(nil), ev.discarded...)
	ev.mu.Unlock()
	latest := cps[len(cps)-1]
	if len(discarded) != len(cps)-spec.Checkpoint.Retained {
		t.Errorf("%d checkpoints completed, %d reported discarded, want all but the %d retained", len(cps), len(discarded), spec.Checkpoint.Retained)
	}
	if _, err := store.Stat(context.Background(), latest.Prefix+"/"+runtime.MetadataFile); err != nil {
		t.Fatalf("the latest checkpoint %s is gone after the cancel: %v", latest.Prefix, err)
	}
	for _, seq := range discarded {
		if seq == latest.Seq {
			t.Fatalf("the latest checkpoint %d was reported discarded", seq)
		}
	}
	// Flink may print a few records after the checkpoint it is restored from; the restored counts are
	// those at the checkpoint, so they are at most what was printed, and far above 1.
	saved, _ := jarCounts(cluster.stdout(t)[offset0:])
	offset := len(cluster.stdout(t))
	ev2 := newRecorder()
	spec2 := jarSpec(t, store, ev2, "retained")
	spec2.Restore = &runtime.RestoreSource{Storage: store, Prefix: latest.Prefix}
	start(t, rt, spec2)
	ev2.waitStatus(t, api.JobRunning)
	after := waitOutput(t, offset, jarParse, 1)
	for k, a := range after {
		if a[0] <= 1 || a[0] > saved[k][len(saved[k])-1]+1 {
			t.Fatalf("key %d restarted at %d after restoring checkpoint %d; printed before: up to %d", k, a[0], latest.Seq, saved[k][len(saved[k])-1])
		}
	}
}

// A restore whose state has an operator the new job lacks fails with ErrIncompatibleState and Flink's
// message, and runs when non-restored state is allowed.
func TestIncompatibleRestore(t *testing.T) {
	rt := newRuntime(t)
	store := newStore(t)
	ev := newRecorder()
	spec := jarSpec(t, store, ev, "compat")
	start(t, rt, spec)
	ev.waitStatus(t, api.JobRunning)
	ev.waitCheckpoints(t, 1) // the counter has state only once records went through it
	res, err := rt.Stop(context.Background(), spec.JobID, api.StopWithSavepoint, &runtime.SavepointTarget{Storage: store, Prefix: "snapshots"})
	if err != nil {
		t.Fatal(err)
	}
	before := len(clusterJobs(t, rt))

	spec2 := jarSpec(t, store, newRecorder(), "compat", "--uid-suffix", "v2")
	spec2.Restore = &runtime.RestoreSource{Storage: store, Prefix: res.Prefix}
	_, err = rt.Start(context.Background(), spec2)
	if !errors.Is(err, runtime.ErrIncompatibleState) || !strings.Contains(err.Error(), "Cannot map checkpoint/savepoint state") ||
		!strings.Contains(err.Error(), "allow_non_restored_state") || strings.Contains(err.Error(), "\tat ") {
		t.Fatalf("incompatible restore: err = %v, want ErrIncompatibleState with Flink's message and the attribute to set", err)
	}
	if n := len(clusterJobs(t, rt)); n != before+1 {
		t.Errorf("the cluster has %d jobs, want %d (the refused one, FAILED)", n, before+1)
	}

	ev3 := newRecorder()
	spec3 := jarSpec(t, store, ev3, "compat", "--uid-suffix", "v2")
	spec3.Restore = &runtime.RestoreSource{Storage: store, Prefix: res.Prefix, AllowNonRestoredState: true}
	start(t, rt, spec3)
	ev3.waitStatus(t, api.JobRunning)

	missing := jarSpec(t, store, newRecorder(), "compat")
	missing.Restore = &runtime.RestoreSource{Storage: store, Prefix: "snapshots/savepoint-that-never-was"}
	if _, err := rt.Start(context.Background(), missing); !errors.Is(err, runtime.ErrCorruptState) {
		t.Fatalf("restore from a missing path: err = %v, want ErrCorruptState", err)
	}
}

// STOP_WITH_DRAIN ends the job FINISHED after a savepoint into the target; without a target the
// savepoint Flink needs is deleted afterwards.
func TestStopWithDrain(t *testing.T) {
	rt := newRuntime(t)
	store := newStore(t)
	for _, withTarget := range []bool{true, false} {
		ev := newRecorder()
		spec := jarSpec(t, store, ev, "drain")
		start(t, rt, spec)
		ev.waitStatus(t, api.JobRunning)
		var target *runtime.SavepointTarget
		if withTarget {
			target = &runtime.SavepointTarget{Storage: store, Prefix: "snapshots/drain"}
		}
		res, err := rt.Stop(context.Background(), spec.JobID, api.StopWithDrain, target)
		if err != nil {
			t.Fatalf("stop with drain (target %v): %v", withTarget, err)
		}
		if got := ev.lastStatus(); got.Status != api.JobFinished {
			t.Fatalf("after a drain the last status is %+v, want FINISHED", got)
		}
		if withTarget {
			assertSavepoint(t, store, "snapshots/drain", *res)
			continue
		}
		if res != nil {
			t.Fatalf("a drain without a target returned a savepoint %+v", res)
		}
		n := 0
		_ = store.List(context.Background(), joinKey(spec.CheckpointPrefix, "drain-savepoints")+"/", func(blob.Info) error { n++; return nil })
		if n != 0 {
			t.Fatalf("a drain without a target left %d savepoint files behind", n)
		}
	}
}
