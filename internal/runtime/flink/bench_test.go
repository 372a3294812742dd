package flink

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/runtime"
)

// BenchmarkSavepointVsREST compares a savepoint through the runtime (trigger, poll, size the files) with
// Flink's own savepoint through raw REST calls (trigger, poll every 10 ms), alternating on one job
// (which of the two goes first alternates too).
func BenchmarkSavepointVsREST(b *testing.B) {
	rt := newRuntime(b)
	store := newStore(b)
	ev := newRecorder()
	spec := jarSpec(b, store, ev, "bench")
	flinkID := start(b, rt, spec)
	ev.waitStatus(b, api.JobRunning)
	ev.waitCheckpoints(b, 1)
	ctx := context.Background()
	var engine, raw time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// Alternate which goes first, so neither gains from following the other.
		engineSavepoint := func() {
			t0 := time.Now()
			if _, err := rt.Savepoint(ctx, spec.JobID, runtime.SavepointTarget{Storage: store, Prefix: fmt.Sprintf("engine/%d", i)}); err != nil {
				b.Fatal(err)
			}
			engine += time.Since(t0)
		}
		restSavepoint := func() {
			t0 := time.Now()
			rawSavepoint(b, flinkID, store.Location(fmt.Sprintf("raw/%d", i)))
			raw += time.Since(t0)
		}
		if i%2 == 0 {
			engineSavepoint()
			restSavepoint()
		} else {
			restSavepoint()
			engineSavepoint()
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(engine.Milliseconds())/float64(b.N), "engine-ms/op")
	b.ReportMetric(float64(raw.Milliseconds())/float64(b.N), "rest-ms/op")
	b.ReportMetric(float64(engine)/float64(raw), "engine/rest")
}

// rawSavepoint is what a script would do with curl: trigger, then poll every 10 ms until COMPLETED.
func rawSavepoint(b *testing.B, flinkID, dir string) {
	body := fmt.Sprintf(`{"target-directory": %q, "cancel-job": false, "formatType": "CANONICAL"}`, dir)
	resp, err := http.Post(cluster.restURL+"/jobs/"+flinkID+"/savepoints", "application/json", strings.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	var trig triggerResponse
	if err := decodeJSON(resp, &trig); err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	for {
		resp, err := http.Get(cluster.restURL + "/jobs/" + flinkID + "/savepoints/" + trig.RequestID)
		if err != nil {
			b.Fatal(err)
		}
		var st savepointStatus
		err = decodeJSON(resp, &st)
		resp.Body.Close()
		if err != nil {
			b.Fatal(err)
		}
		if st.Status.ID == "COMPLETED" {
			if st.Operation == nil || st.Operation.Location == "" {
				b.Fatalf("raw savepoint failed: %+v", st.Operation)
			}
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// BenchmarkWatcherCPU measures the CPU this process spends watching 50 running jobs for 10 s, with
// the watcher's default 1 s tick and the default 3 min checkpoint interval (and, as a worst case,
// checkpoints every second). The shared test cluster has 4 slots, so 4 real jobs run and 50 watched
// entries are spread over them: every entry costs the watcher what a job of its own would (its share
// of the overview and its /checkpoints requests).
func BenchmarkWatcherCPU(b *testing.B) {
	for _, interval := range []time.Duration{3 * time.Minute, time.Second} {
		b.Run("checkpoints-every-"+interval.String(), func(b *testing.B) { benchWatcherCPU(b, interval) })
	}
}

func benchWatcherCPU(b *testing.B, interval time.Duration) {
	const watched, window = 50, 10 * time.Second
	rt := newRuntime(b)
	store := newStore(b)
	var specs []runtime.JobSpec
	for i := 0; i < 4; i++ {
		ev := newRecorder()
		s := jarSpec(b, store, ev, fmt.Sprintf("cpu%d", i))
		start(b, rt, s)
		ev.waitStatus(b, api.JobRunning)
		specs = append(specs, s)
	}
	rt.Close() // only the runtime under measurement polls
	watcherRT, err := New(Options{RESTURL: cluster.restURL, PollInterval: time.Second})
	if err != nil {
		b.Fatal(err)
	}
	defer watcherRT.Close()
	for i := 0; i < watched; i++ {
		s := specs[i%len(specs)]
		s.JobID = fmt.Sprintf("%s-watch-%d", s.JobID, i)
		s.Checkpoint.Interval = interval
		s.Events = nopEvents{}
		watcherRT.watch.add(s, FlinkJobID(specs[i%len(specs)].JobID), true)
	}
	time.Sleep(2 * time.Second) // first looks
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		u0 := cpuTime()
		time.Sleep(window)
		used := cpuTime() - u0
		b.ReportMetric(100*used.Seconds()/window.Seconds(), "%core")
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

type nopEvents struct{}

func (nopEvents) JobStatusChanged(string, runtime.JobStatus)              {}
func (nopEvents) CheckpointCompleted(string, runtime.CheckpointInfo) bool { return true }
func (nopEvents) CheckpointFailed(string, runtime.CheckpointInfo)         {}
func (nopEvents) CheckpointDiscarded(string, int64)                       {}
