package flink

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/blob"
	"github.com/streamstate/terraform-provider-flink/internal/runtime"
)

// waitLimit bounds how long a test waits for something a real cluster should do; a hang guard, not a
// measurement (a loaded machine runs Flink slowly).
const waitLimit = 90 * time.Second

// recorder is an Events implementation that keeps every event for the test to wait on.
type recorder struct {
	mu        sync.Mutex
	cond      *sync.Cond
	statuses  []runtime.JobStatus
	completed []runtime.CheckpointInfo
	failed    []runtime.CheckpointInfo
	discarded []int64
}

func newRecorder() *recorder {
	r := &recorder{}
	r.cond = sync.NewCond(&r.mu)
	return r
}

func (r *recorder) add(fn func()) {
	r.mu.Lock()
	fn()
	r.mu.Unlock()
	r.cond.Broadcast()
}

func (r *recorder) JobStatusChanged(_ string, s runtime.JobStatus) {
	r.add(func() { r.statuses = append(r.statuses, s) })
}
func (r *recorder) CheckpointCompleted(_ string, c runtime.CheckpointInfo) bool {
	r.add(func() { r.completed = append(r.completed, c) })
	return true
}
func (r *recorder) CheckpointFailed(_ string, c runtime.CheckpointInfo) {
	r.add(func() { r.failed = append(r.failed, c) })
}
func (r *recorder) CheckpointDiscarded(_ string, seq int64) {
	r.add(func() { r.discarded = append(r.discarded, seq) })
}

// waitFor waits until cond (called with the lock held) holds.
func (r *recorder) waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	done := make(chan struct{})
	defer close(done)
	go func() { // wake the wait now and then, so its deadline is checked
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				r.cond.Broadcast()
			}
		}
	}()
	r.mu.Lock()
	defer r.mu.Unlock()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s within %s; statuses %+v, %d checkpoints completed, %d failed", what, waitLimit, r.statuses, len(r.completed), len(r.failed))
		}
		r.cond.Wait()
	}
}

// waitStatus waits until status want was reported, failing if the job ended otherwise.
func (r *recorder) waitStatus(t testing.TB, want string) runtime.JobStatus {
	t.Helper()
	var got runtime.JobStatus
	r.waitFor(t, "status "+want, func() bool {
		for _, s := range r.statuses {
			if s.Status == want {
				got = s
				return true
			}
			if s.Status == api.JobFailed || s.Status == api.JobFinished || s.Status == api.JobCancelled {
				t.Fatalf("job ended %s (failure %q) while waiting for %s", s.Status, s.Failure, want)
			}
		}
		return false
	})
	return got
}

func (r *recorder) lastStatus() runtime.JobStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.statuses) == 0 {
		return runtime.JobStatus{}
	}
	return r.statuses[len(r.statuses)-1]
}

// waitCheckpoints waits for n completed checkpoints and returns all completed so far.
func (r *recorder) waitCheckpoints(t testing.TB, n int) []runtime.CheckpointInfo {
	t.Helper()
	var out []runtime.CheckpointInfo
	r.waitFor(t, fmt.Sprintf("%d completed checkpoints", n), func() bool {
		out = append([]runtime.CheckpointInfo(nil), r.completed...)
		return len(out) >= n
	})
	return out
}

func newStore(t testing.TB) *blob.FS {
	t.Helper()
	s, err := blob.NewFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// newRuntime starts the shared cluster if needed and returns a runtime for it.
func newRuntime(t testing.TB) *Runtime {
	t.Helper()
	needCluster(t)
	rt, err := New(Options{RESTURL: cluster.restURL, SQLGatewayURL: cluster.gatewayURL, PollInterval: 250 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rt.Close() })
	return rt
}

var jobSeq struct {
	sync.Mutex
	n int
}

// newJobID is unique per test run, so Flink job ids never collide with an earlier run's on the cluster.
func newJobID(t testing.TB) string {
	jobSeq.Lock()
	defer jobSeq.Unlock()
	jobSeq.n++
	return fmt.Sprintf("%s-%d-%d", strings.ReplaceAll(t.Name(), "/", "-"), time.Now().UnixNano(), jobSeq.n)
}

// countingSQL is a datagen sequence (bounded: 1.20's sequence generator holds every pending value in memory), counted per key (id % 4) into the print sink: each update prints
// "<tag>> +U[key, count]" on the TaskManager's stdout.
func countingSQL(tag string) string {
	return fmt.Sprintf(`-- counts per key; the print sink's identifier tells this test's lines apart
CREATE TEMPORARY TABLE src (id BIGINT) WITH (
  'connector' = 'datagen', 'fields.id.kind' = 'sequence', 'fields.id.start' = '1',
  'fields.id.end' = '100000', 'rows-per-second' = '20'
);
CREATE TEMPORARY TABLE sink (k BIGINT, c BIGINT) WITH ('connector' = 'print', 'print-identifier' = '%s');
INSERT INTO sink SELECT id %% 4 AS k, COUNT(*) AS c FROM src GROUP BY id %% 4;`, tag)
}

func sqlSpec(t testing.TB, store blob.Store, ev runtime.Events, tag string) runtime.JobSpec {
	id := newJobID(t)
	return runtime.JobSpec{
		JobID: id, DeploymentID: "dep-" + tag,
		Program: runtime.Program{Type: api.DeploymentSQL, ExecutionMode: "STREAMING", EngineVersion: "flink-" + cluster.majorMinor,
			SQL: countingSQL(tag), Parallelism: 1},
		Checkpoint:       runtime.CheckpointSettings{Interval: time.Second, Timeout: time.Minute, Retained: 2},
		Storage:          store,
		CheckpointPrefix: "checkpoints/" + tag,
		Events:           ev,
	}
}

func jarSpec(t testing.TB, store blob.Store, ev runtime.Events, tag string, args ...string) runtime.JobSpec {
	id := newJobID(t)
	return runtime.JobSpec{
		JobID: id, DeploymentID: "dep-" + tag,
		Program: runtime.Program{Type: api.DeploymentJAR, ExecutionMode: "STREAMING", EngineVersion: "flink-" + cluster.majorMinor,
			Parallelism: 1, Jar: &runtime.JarProgram{Name: "testjob.jar", EntryClass: cluster.jarEntryClass,
				Args: append([]string{"--rate", "20"}, args...), Open: cluster.openJar}},
		Checkpoint:       runtime.CheckpointSettings{Interval: time.Second, Timeout: time.Minute, Retained: 2},
		Storage:          store,
		CheckpointPrefix: "checkpoints/" + tag,
		Events:           ev,
	}
}

func start(t testing.TB, rt *Runtime, spec runtime.JobSpec) string {
	t.Helper()
	handle, err := rt.Start(context.Background(), spec)
	if err != nil {
		t.Fatalf("start %s: %v", spec.JobID, err)
	}
	if handle != FlinkJobID(spec.JobID) {
		t.Fatalf("start returned handle %q, want the derived Flink job id %q", handle, FlinkJobID(spec.JobID))
	}
	t.Cleanup(func() {
		// Leave the shared cluster's slots free for the next test.
		_ = rt.jm.cancel(context.Background(), handle)
	})
	return handle
}

// Output parsing. SQL print lines: "<tag>> +U[1, 57]" (also +I); the test jar's: "testjob key=1 count=57 seq=225".
var (
	sqlLine = regexp.MustCompile(`(?m)^(\S+)> [+][IU]\[(\d+), (\d+)\]`)
	jarLine = regexp.MustCompile(`(?m)^(?:\d+> )?testjob key=(\d+) count=(\d+) seq=(\d+)`)
)

// counts is, per key, the counts printed in order.
type counts map[int64][]int64

func sqlCounts(out, tag string) counts {
	c := counts{}
	for _, m := range sqlLine.FindAllStringSubmatch(out, -1) {
		if m[1] != tag {
			continue
		}
		k, _ := strconv.ParseInt(m[2], 10, 64)
		n, _ := strconv.ParseInt(m[3], 10, 64)
		c[k] = append(c[k], n)
	}
	return c
}

func jarCounts(out string) (counts, []int64) {
	c := counts{}
	var seqs []int64
	for _, m := range jarLine.FindAllStringSubmatch(out, -1) {
		k, _ := strconv.ParseInt(m[1], 10, 64)
		n, _ := strconv.ParseInt(m[2], 10, 64)
		s, _ := strconv.ParseInt(m[3], 10, 64)
		c[k] = append(c[k], n)
		seqs = append(seqs, s)
	}
	return c, seqs
}

// waitOutput polls the TaskManager's stdout after offset until parse finds at least n lines per key
// for 4 keys.
func waitOutput(t testing.TB, offset int, parse func(string) counts, n int) counts {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for {
		out := cluster.stdout(t)[offset:]
		c := parse(out)
		ok := len(c) == 4
		for _, v := range c {
			ok = ok && len(v) >= n
		}
		if ok {
			return c
		}
		if time.Now().After(deadline) {
			t.Fatalf("the TaskManager printed %d keys' counts within %s, want %d lines for each of 4 keys; tail:\n%s", len(c), waitLimit, n, tail(out, 800))
		}
		time.Sleep(300 * time.Millisecond)
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// assertContinues checks that, for every key, the first count printed after a restore is the last one
// printed before the savepoint plus one: the state came back instead of starting at 1.
func assertContinues(t testing.TB, before, after counts) {
	t.Helper()
	for k, a := range after {
		b := before[k]
		if len(b) == 0 {
			t.Fatalf("key %d printed nothing before the savepoint", k)
		}
		last := b[len(b)-1]
		if a[0] == 1 {
			t.Fatalf("key %d restarted at count 1 after the restore; before it had reached %d", k, last)
		}
		if a[0] != last+1 {
			t.Fatalf("key %d continued at count %d after the restore, want %d (last before the savepoint %d)", k, a[0], last+1, last)
		}
	}
}

// clusterJobs counts the jobs the cluster knows (any state).
func clusterJobs(t testing.TB, rt *Runtime) map[string]string {
	t.Helper()
	ov, err := rt.jm.overview(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, j := range ov.Jobs {
		out[j.JID] = j.State
	}
	return out
}

// rawJobState reads a job's state straight from Flink.
func rawJobState(t testing.TB, flinkID string) string {
	t.Helper()
	resp, err := http.Get(cluster.restURL + "/jobs/" + flinkID)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var d jobDetailsInfo
	if err := decodeJSON(resp, &d); err != nil {
		t.Fatal(err)
	}
	return d.State
}

func decodeJSON(resp *http.Response, out any) error {
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}
