package local

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/blob"
	"github.com/streamstate/terraform-provider-flink/internal/runtime"
)

// allCompleted drains every completed checkpoint reported so far (call after the job stopped).
func allCompleted(ev *recorder, seen []runtime.CheckpointInfo) []runtime.CheckpointInfo {
	for {
		select {
		case c := <-ev.completed:
			seen = append(seen, c)
		default:
			return seen
		}
	}
}

func TestJobCheckpointsLandOnDiskAndOldOnesAreRemoved(t *testing.T) {
	store, root := newStore(t)
	rt := New(Options{})
	defer rt.Close()
	ev := startJob(t, rt, jobSpec("job-1", store, nil, map[string]string{"local.state-bytes": "256kb", "local.chunk-bytes": "64kb"}))
	if s := ev.waitStatus(t, "RUNNING"); s.StartOffset != 0 {
		t.Fatalf("fresh job StartOffset = %d, want 0", s.StartOffset)
	}
	cps := ev.waitCompleted(t, 3)
	for i, c := range cps {
		if c.Seq != int64(i+1) {
			t.Fatalf("checkpoint %d has seq %d, want %d", i, c.Seq, i+1)
		}
		if c.Incremental || c.SizeBytes != 256<<10 || c.FullSizeBytes != 256<<10 {
			t.Fatalf("full checkpoint %d: incremental=%v size=%d full=%d, want false/262144/262144", c.Seq, c.Incremental, c.SizeBytes, c.FullSizeBytes)
		}
	}
	if cps[2].Offset < cps[1].Offset || cps[1].Offset < cps[0].Offset {
		t.Fatalf("offsets went backwards: %d, %d, %d", cps[0].Offset, cps[1].Offset, cps[2].Offset)
	}
	for _, want := range []int64{1, 2} {
		if got := next(t, ev.discarded, "discarded checkpoint"); got != want {
			t.Fatalf("discarded checkpoint %d, want %d", got, want)
		}
	}
	stopJob(t, rt, ev, "job-1")
	cps = allCompleted(ev, cps)
	last := cps[len(cps)-1]
	if got := checkpointDirs(t, root); !reflect.DeepEqual(got, []int64{last.Seq}) {
		t.Fatalf("checkpoint directories on disk = %v, want only the last one [%d]", got, last.Seq)
	}
	m, err := runtime.VerifyState(context.Background(), store, last.Prefix)
	if err != nil {
		t.Fatalf("verify last checkpoint: %v", err)
	}
	if m.Offset != last.Offset || m.Kind != runtime.KindCheckpoint || len(m.Files) != 4 || m.Fingerprint != "fp-1" {
		t.Fatalf("metadata = offset %d kind %s files %d fingerprint %s; want offset %d, checkpoint, 4 files, fp-1", m.Offset, m.Kind, len(m.Files), m.Fingerprint, last.Offset)
	}
	if _, err := rt.Savepoint(context.Background(), "job-1", runtime.SavepointTarget{Storage: store, Prefix: "sp"}); !errors.Is(err, runtime.ErrUnknownJob) {
		t.Fatalf("savepoint of a stopped job: err = %v, want ErrUnknownJob", err)
	}
}

func TestRetainedThreeKeepsThreeCheckpoints(t *testing.T) {
	store, root := newStore(t)
	rt := New(Options{})
	defer rt.Close()
	spec := jobSpec("job-1", store, nil, map[string]string{"local.state-bytes": "64kb"})
	spec.Checkpoint.Retained = 3
	ev := startJob(t, rt, spec)
	cps := ev.waitCompleted(t, 5)
	stopJob(t, rt, ev, "job-1")
	cps = allCompleted(ev, cps)
	if got, want := checkpointDirs(t, root), lastSeqs(cps, 3); !reflect.DeepEqual(got, want) {
		t.Fatalf("checkpoint directories on disk = %v, want the last three %v", got, want)
	}
	var discarded []int64
	for len(ev.discarded) > 0 {
		discarded = append(discarded, <-ev.discarded)
	}
	if want := seqRange(1, int64(len(cps)-3)); !reflect.DeepEqual(discarded, want) {
		t.Fatalf("discarded = %v, want %v", discarded, want)
	}
}

func seqRange(from, to int64) []int64 {
	var out []int64
	for s := from; s <= to; s++ {
		out = append(out, s)
	}
	return out
}

func TestIncrementalCheckpointsShareFilesAndKeepReferencedOnes(t *testing.T) {
	store, root := newStore(t)
	rt := New(Options{})
	defer rt.Close()
	cfg := map[string]string{"local.state-bytes": "512kb", "local.chunk-bytes": "64kb", "state.backend.incremental": "true", "local.records-per-second": "1000000"}
	spec := jobSpec("job-1", store, nil, cfg)
	spec.Checkpoint.Retained = 2
	ev := startJob(t, rt, spec)
	cps := ev.waitCompleted(t, 4)
	stopJob(t, rt, ev, "job-1")
	cps = allCompleted(ev, cps)

	if cps[0].SizeBytes != 512<<10 {
		t.Fatalf("first incremental checkpoint wrote %d bytes, want all 524288", cps[0].SizeBytes)
	}
	for _, c := range cps[1:] {
		// 8 chunks, a quarter of them change between checkpoints.
		if !c.Incremental || c.FullSizeBytes != 512<<10 || c.SizeBytes != 128<<10 {
			t.Fatalf("checkpoint %d: incremental=%v wrote %d of %d bytes; want true, 131072 of 524288", c.Seq, c.Incremental, c.SizeBytes, c.FullSizeBytes)
		}
	}
	// Every shared file on disk is referenced by a retained checkpoint, and every reference resolves.
	ctx := context.Background()
	retained := checkpointDirs(t, root)
	if want := lastSeqs(cps, 2); !reflect.DeepEqual(retained, want) {
		t.Fatalf("retained checkpoints = %v, want %v", retained, want)
	}
	referenced := map[string]bool{}
	for _, c := range cps[len(cps)-2:] {
		m, err := runtime.VerifyState(ctx, store, c.Prefix)
		if err != nil {
			t.Fatalf("verify retained checkpoint %d: %v", c.Seq, err)
		}
		for _, f := range m.Files {
			if !f.Shared || !strings.HasPrefix(f.Key, "ckp/shared/") {
				t.Fatalf("incremental checkpoint %d lists %q (shared=%v), want a ckp/shared/ file", c.Seq, f.Key, f.Shared)
			}
			referenced[f.Key] = true
		}
	}
	onDisk := map[string]bool{}
	if err := store.List(ctx, "ckp/shared/", func(in blob.Info) error { onDisk[in.Key] = true; return nil }); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(onDisk, referenced) {
		t.Fatalf("shared files on disk %v\ndiffer from those the retained checkpoints reference %v", keys(onDisk), keys(referenced))
	}
	// The two retained checkpoints share the files that did not change between them.
	if len(referenced) >= 16 {
		t.Fatalf("the two retained checkpoints reference %d distinct files; unchanged chunks should be shared", len(referenced))
	}

	// A copy of an incremental checkpoint is self-contained: it survives deleting the checkpoints.
	copyStore, _ := newStore(t)
	last := cps[len(cps)-1]
	m, err := runtime.CopyState(ctx, store, last.Prefix, copyStore, "copied", 4)
	if err != nil {
		t.Fatalf("copy incremental checkpoint: %v", err)
	}
	if m.Kind != runtime.KindSavepoint || m.Incremental || m.Offset != last.Offset {
		t.Fatalf("copy metadata: kind %s incremental %v offset %d; want savepoint, false, %d", m.Kind, m.Incremental, m.Offset, last.Offset)
	}
	if err := store.DeletePrefix(ctx, "ckp/"); err != nil {
		t.Fatal(err)
	}
	ev2 := startJob(t, rt, restoreSpec("job-2", store, copyStore, "copied", cfg))
	if s := ev2.waitStatus(t, "RUNNING"); s.StartOffset != last.Offset {
		t.Fatalf("restored StartOffset = %d, want the checkpoint's %d", s.StartOffset, last.Offset)
	}
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func TestCheckpointFailureIsReportedAndLeavesNothing(t *testing.T) {
	store, root := newStore(t)
	rt := New(Options{})
	defer rt.Close()
	ev := startJob(t, rt, jobSpec("job-1", store, nil, map[string]string{"local.checkpoint-failure": "true"}))
	f := next(t, ev.failed, "failed checkpoint")
	if f.Seq != 1 || !strings.Contains(f.Failure, "local.checkpoint-failure") {
		t.Fatalf("failed checkpoint seq %d failure %q; want seq 1 and a message naming local.checkpoint-failure", f.Seq, f.Failure)
	}
	stopJob(t, rt, ev, "job-1")
	if len(ev.completed) != 0 {
		t.Fatalf("%d checkpoints completed with local.checkpoint-failure set", len(ev.completed))
	}
	if dirs := checkpointDirs(t, root); len(dirs) != 0 {
		t.Fatalf("failed checkpoints left directories %v", dirs)
	}
}

func TestRestartAdoptsEarlierCheckpointsForRetention(t *testing.T) {
	store, root := newStore(t)
	rt := New(Options{})
	cfg := map[string]string{"local.state-bytes": "256kb", "local.chunk-bytes": "64kb", "state.backend.incremental": "true"}
	ev := startJob(t, rt, jobSpec("job-1", store, nil, cfg))
	cps := ev.waitCompleted(t, 2)
	if err := rt.Close(); err != nil {
		t.Fatal(err)
	}
	cps = allCompleted(ev, cps)
	select {
	case s := <-ev.statuses:
		if s.Status != "RUNNING" {
			t.Fatalf("Close reported status %s; it must stay silent", s.Status)
		}
	default:
	}
	last := cps[len(cps)-1]
	// The engine resumes from the latest checkpoint, continuing the sequence.
	spec := restoreSpec("job-2", store, store, last.Prefix, cfg)
	spec.FirstCheckpointSeq = last.Seq + 1
	rt2 := New(Options{})
	defer rt2.Close()
	ev2 := startJob(t, rt2, spec)
	if s := ev2.waitStatus(t, "RUNNING"); s.StartOffset != last.Offset {
		t.Fatalf("resumed StartOffset = %d, want %d", s.StartOffset, last.Offset)
	}
	c := ev2.waitCompleted(t, 1)[0]
	if c.Seq != last.Seq+1 {
		t.Fatalf("resumed job's first checkpoint seq = %d, want %d", c.Seq, last.Seq+1)
	}
	if c.SizeBytes >= c.FullSizeBytes {
		t.Fatalf("first incremental checkpoint after resuming wrote %d of %d bytes; it should reuse the restored checkpoint's shared files", c.SizeBytes, c.FullSizeBytes)
	}
	if got := next(t, ev2.discarded, "discarded checkpoint"); got != last.Seq {
		t.Fatalf("discarded %d, want the earlier job's checkpoint %d", got, last.Seq)
	}
	stopJob(t, rt2, ev2, "job-2")
	cps2 := allCompleted(ev2, []runtime.CheckpointInfo{c})
	if got, want := checkpointDirs(t, root), lastSeqs(cps2, 1); !reflect.DeepEqual(got, want) {
		t.Fatalf("checkpoint directories = %v, want %v", got, want)
	}
	if _, err := runtime.VerifyState(context.Background(), store, cps2[len(cps2)-1].Prefix); err != nil {
		t.Fatalf("latest checkpoint after discarding the adopted one: %v", err)
	}
}

func restoreSpec(id string, store, from blob.Store, prefix string, cfg map[string]string) runtime.JobSpec {
	spec := jobSpec(id, store, nil, cfg)
	spec.Restore = &runtime.RestoreSource{Storage: from, Prefix: prefix}
	return spec
}

func TestCheckpointTimeoutIsReportedAsExpired(t *testing.T) {
	store, root := newStore(t)
	rt := New(Options{})
	defer rt.Close()
	spec := jobSpec("job-1", store, nil, map[string]string{"local.state-bytes": "1mb"})
	spec.Checkpoint.Timeout = time.Nanosecond
	ev := startJob(t, rt, spec)
	f := next(t, ev.failed, "failed checkpoint")
	if !strings.Contains(f.Failure, "expired") || !strings.Contains(f.Failure, "timeout") {
		t.Fatalf("failure = %q, want an expiry naming the timeout", f.Failure)
	}
	stopJob(t, rt, ev, "job-1")
	if dirs := checkpointDirs(t, root); len(dirs) != 0 {
		t.Fatalf("expired checkpoints left directories %v", dirs)
	}
}

func TestStartRefusesADuplicateJobAndNeverOverwritesCheckpoints(t *testing.T) {
	store, root := newStore(t)
	rt := New(Options{})
	defer rt.Close()
	cfg := map[string]string{"local.state-bytes": "64kb"}
	ev := startJob(t, rt, jobSpec("job-1", store, nil, cfg))
	if _, err := rt.Start(context.Background(), jobSpec("job-1", store, newRecorder(), cfg)); err == nil {
		t.Fatal("a second start of a running job id succeeded")
	}
	cps := ev.waitCompleted(t, 2)
	stopJob(t, rt, ev, "job-1")
	cps = allCompleted(ev, cps)
	// The engine forgot to continue the count: the new job must still not reuse chk-1.
	ev2 := startJob(t, rt, jobSpec("job-2", store, nil, cfg))
	if c := ev2.waitCompleted(t, 1)[0]; c.Seq != cps[len(cps)-1].Seq+1 {
		t.Fatalf("new job's first checkpoint seq = %d, want %d (after the existing ones)", c.Seq, cps[len(cps)-1].Seq+1)
	}
	stopJob(t, rt, ev2, "job-2")
	if got := checkpointDirs(t, root); len(got) != 1 {
		t.Fatalf("checkpoint directories = %v, want only the newest (the earlier job's were adopted and discarded)", got)
	}
}

// While the engine keeps no record of a job's checkpoints (its replica lost the job's lease, or it is
// closing), the job discards none: the engine's newest record, older than any of them, must keep its
// files for the resume that restores from it. Once checkpoints are on record again, retention catches up.
func TestNoCheckpointIsDiscardedWhileCompletionsAreNotOnRecord(t *testing.T) {
	store, root := newStore(t)
	rt := New(Options{})
	defer rt.Close()
	ev := newRecorder()
	ev.refuse.Store(true)
	spec := jobSpec("job-1", store, ev, map[string]string{"local.state-bytes": "64kb"})
	if _, err := rt.Start(context.Background(), spec); err != nil {
		t.Fatal(err)
	}
	ev.waitStatus(t, "STARTING")
	refused := ev.waitCompleted(t, 4)
	if n := len(ev.discarded); n > 0 {
		t.Fatalf("%d checkpoints discarded while no completion was on record (first: %d)", n, <-ev.discarded)
	}
	for _, c := range refused {
		if _, err := os.Stat(checkpointMetadata(root, c.Seq)); err != nil {
			t.Fatalf("checkpoint %d, completed while not on record, lost its files: %v", c.Seq, err)
		}
	}

	ev.refuse.Store(false)
	for _, c := range refused {
		if got := next(t, ev.discarded, "discarded checkpoint"); got != c.Seq {
			t.Fatalf("discarded checkpoint %d, want %d (oldest first, once a newer one is on record)", got, c.Seq)
		}
	}
	for _, c := range refused {
		if _, err := os.Stat(checkpointMetadata(root, c.Seq)); !os.IsNotExist(err) {
			t.Fatalf("checkpoint %d was reported discarded, but its metadata is still there (%v)", c.Seq, err)
		}
	}
}

func checkpointMetadata(root string, seq int64) string {
	return filepath.Join(root, "ckp", "chk-"+strconv.FormatInt(seq, 10), runtime.MetadataFile)
}
