package local

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/blob"
	"github.com/streamstate/terraform-provider-flink/internal/runtime"
)

// waitLimit bounds how long a test waits for an event that should come; it is a hang guard, not a
// measurement.
const waitLimit = 20 * time.Second

// recorder is an Events implementation that hands every event to the test through channels.
type recorder struct {
	statuses  chan runtime.JobStatus
	completed chan runtime.CheckpointInfo
	failed    chan runtime.CheckpointInfo
	discarded chan int64
	refuse    atomic.Bool // completed checkpoints are not on record, as when the engine lost the job's lease
}

func newRecorder() *recorder {
	return &recorder{
		statuses:  make(chan runtime.JobStatus, 10000),
		completed: make(chan runtime.CheckpointInfo, 10000),
		failed:    make(chan runtime.CheckpointInfo, 10000),
		discarded: make(chan int64, 10000),
	}
}

func (r *recorder) JobStatusChanged(_ string, s runtime.JobStatus) { r.statuses <- s }
func (r *recorder) CheckpointCompleted(_ string, c runtime.CheckpointInfo) bool {
	r.completed <- c
	return !r.refuse.Load()
}
func (r *recorder) CheckpointFailed(_ string, c runtime.CheckpointInfo) { r.failed <- c }
func (r *recorder) CheckpointDiscarded(_ string, seq int64)             { r.discarded <- seq }

func next[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(waitLimit):
		t.Fatalf("no %s within %s", what, waitLimit)
		panic("unreachable")
	}
}

// waitStatus returns the next status and fails unless it is want.
func (r *recorder) waitStatus(t *testing.T, want string) runtime.JobStatus {
	t.Helper()
	s := next(t, r.statuses, "job status "+want)
	if s.Status != want {
		t.Fatalf("job status = %s (failure %q), want %s", s.Status, s.Failure, want)
	}
	return s
}

// waitCompleted returns the next n completed checkpoints, failing on a failed one.
func (r *recorder) waitCompleted(t *testing.T, n int) []runtime.CheckpointInfo {
	t.Helper()
	var out []runtime.CheckpointInfo
	for len(out) < n {
		select {
		case c := <-r.completed:
			out = append(out, c)
		case f := <-r.failed:
			t.Fatalf("checkpoint %d failed: %s", f.Seq, f.Failure)
		case <-time.After(waitLimit):
			t.Fatalf("only %d of %d checkpoints completed within %s", len(out), n, waitLimit)
		}
	}
	return out
}

func newStore(t testing.TB) (*blob.FS, string) {
	t.Helper()
	dir := t.TempDir()
	s, err := blob.NewFS(dir)
	if err != nil {
		t.Fatal(err)
	}
	return s, dir
}

// jobSpec is a job writing into store under "ckp" with 50ms checkpoints.
func jobSpec(id string, store blob.Store, ev runtime.Events, cfg map[string]string) runtime.JobSpec {
	return runtime.JobSpec{
		JobID: id, DeploymentID: "dep-1", Config: cfg,
		Checkpoint:       runtime.CheckpointSettings{Interval: 50 * time.Millisecond},
		Storage:          store,
		CheckpointPrefix: "ckp",
		Fingerprint:      "fp-1",
		Events:           ev,
	}
}

func startJob(t *testing.T, rt *Runtime, spec runtime.JobSpec) *recorder {
	t.Helper()
	ev := newRecorder()
	spec.Events = ev
	if _, err := rt.Start(context.Background(), spec); err != nil {
		t.Fatalf("start %s: %v", spec.JobID, err)
	}
	ev.waitStatus(t, "STARTING")
	return ev
}

func stopJob(t *testing.T, rt *Runtime, ev *recorder, jobID string) {
	t.Helper()
	if _, err := rt.Stop(context.Background(), jobID, "NONE", nil); err != nil {
		t.Fatalf("stop %s: %v", jobID, err)
	}
	drain(ev.statuses, "CANCELLED", t)
}

// drain reads statuses until want, failing on anything other than RUNNING before it.
func drain(ch chan runtime.JobStatus, want string, t *testing.T) {
	t.Helper()
	for {
		s := next(t, ch, "job status "+want)
		if s.Status == want {
			return
		}
		if s.Status != "RUNNING" {
			t.Fatalf("job status = %s, want %s", s.Status, want)
		}
	}
}

// checkpointDirs lists the complete chk-<seq> directories under root/ckp on disk, by sequence.
func checkpointDirs(t *testing.T, root string) []int64 {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(root, "ckp"))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var seqs []int64
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), "chk-") {
			continue
		}
		seq, err := strconv.ParseInt(strings.TrimPrefix(e.Name(), "chk-"), 10, 64)
		if err != nil {
			t.Fatalf("unexpected directory %s", e.Name())
		}
		if _, err := os.Stat(filepath.Join(root, "ckp", e.Name(), runtime.MetadataFile)); err != nil {
			t.Fatalf("checkpoint directory %s has no %s: %v", e.Name(), runtime.MetadataFile, err)
		}
		seqs = append(seqs, seq)
	}
	sort.Slice(seqs, func(a, b int) bool { return seqs[a] < seqs[b] })
	return seqs
}

// seqsOf lists the sequence numbers of the last n checkpoints.
func lastSeqs(cps []runtime.CheckpointInfo, n int) []int64 {
	var out []int64
	for _, c := range cps[len(cps)-n:] {
		out = append(out, c.Seq)
	}
	return out
}
