package local

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/runtime"
)

// fakeClock is a clock the test moves by hand, so offsets are exact.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func newClock() *fakeClock { return &fakeClock{now: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)} }

// quietSpec is a job that does not checkpoint during the test.
func quietSpec(id string, cfg map[string]string) runtime.JobSpec {
	spec := jobSpec(id, nil, nil, cfg)
	spec.Checkpoint.Interval = time.Hour
	return spec
}

func TestSavepointIsSelfContainedAndRestoresItsOffset(t *testing.T) {
	ctx := context.Background()
	clock := newClock()
	rt := New(Options{Clock: clock.Now})
	defer rt.Close()
	store, root := newStore(t)
	spec := quietSpec("job-1", map[string]string{"local.state-bytes": "200kb", "local.chunk-bytes": "64kb"})
	spec.Storage = store
	ev := startJob(t, rt, spec)
	ev.waitStatus(t, "RUNNING")
	clock.Advance(7 * time.Second)

	res, err := rt.Savepoint(ctx, "job-1", runtime.SavepointTarget{Storage: store, Prefix: "savepoints/sp-1", Format: "NATIVE"})
	if err != nil {
		t.Fatalf("savepoint: %v", err)
	}
	if res.Offset != 7000 || res.SizeBytes != 200<<10 || res.Fingerprint != "fp-1" {
		t.Fatalf("savepoint result offset %d size %d fingerprint %s; want 7000, 204800, fp-1", res.Offset, res.SizeBytes, res.Fingerprint)
	}
	m, err := runtime.VerifyState(ctx, store, "savepoints/sp-1")
	if err != nil {
		t.Fatalf("verify savepoint: %v", err)
	}
	if m.Kind != runtime.KindSavepoint || m.SavepointFormat != "NATIVE" || len(m.Files) != 4 {
		t.Fatalf("savepoint metadata kind %s format %s files %d; want savepoint, NATIVE, 4 (3 full chunks and a partial one)", m.Kind, m.SavepointFormat, len(m.Files))
	}
	for _, f := range m.Files {
		if f.Shared || strings.Contains(f.Key, "/") {
			t.Fatalf("savepoint lists %q (shared=%v); every file must be inside its directory", f.Key, f.Shared)
		}
	}

	copyStore, _ := newStore(t)
	if _, err := runtime.CopyState(ctx, store, "savepoints/sp-1", copyStore, "copies/sp-1", 2); err != nil {
		t.Fatalf("copy savepoint: %v", err)
	}
	stopJob(t, rt, ev, "job-1")
	if err := os.RemoveAll(root); err != nil {
		t.Fatal(err)
	}

	checkpoints, _ := newStore(t)
	spec2 := restoreSpec("job-2", checkpoints, copyStore, "copies/sp-1", spec.Config)
	spec2.Checkpoint.Interval = time.Hour
	ev2 := startJob(t, rt, spec2)
	if s := ev2.waitStatus(t, "RUNNING"); s.StartOffset != res.Offset {
		t.Fatalf("restored job StartOffset = %d, want the savepoint's %d", s.StartOffset, res.Offset)
	}
	clock.Advance(time.Second)
	res2, err := rt.Savepoint(ctx, "job-2", runtime.SavepointTarget{Storage: checkpoints, Prefix: "sp-2"})
	if err != nil {
		t.Fatal(err)
	}
	if res2.Offset != res.Offset+1000 {
		t.Fatalf("restored job's offset after 1s = %d, want %d", res2.Offset, res.Offset+1000)
	}
}

func TestRestoreRefusesIncompatibleStateUnlessAllowed(t *testing.T) {
	ctx := context.Background()
	rt := New(Options{})
	defer rt.Close()
	store, _ := newStore(t)
	spec := quietSpec("job-1", map[string]string{"local.state-bytes": "64kb"})
	spec.Storage = store
	ev := startJob(t, rt, spec)
	ev.waitStatus(t, "RUNNING")
	res, err := rt.Savepoint(ctx, "job-1", runtime.SavepointTarget{Storage: store, Prefix: "sp"})
	if err != nil {
		t.Fatal(err)
	}

	other := restoreSpec("job-2", store, store, "sp", spec.Config)
	other.Fingerprint = "fp-other"
	other.Events = newRecorder()
	_, err = rt.Start(ctx, other)
	if !errors.Is(err, runtime.ErrIncompatibleState) || !strings.Contains(err.Error(), "fp-other") {
		t.Fatalf("start with another fingerprint: err = %v, want ErrIncompatibleState naming both fingerprints", err)
	}
	if _, err := rt.Stop(ctx, "job-2", "NONE", nil); !errors.Is(err, runtime.ErrUnknownJob) {
		t.Fatalf("a refused start left job-2 behind: stop err = %v", err)
	}

	other.Restore.AllowNonRestoredState = true
	ev2 := startJob(t, rt, other)
	if s := ev2.waitStatus(t, "RUNNING"); s.StartOffset != res.Offset {
		t.Fatalf("start allowing non-restored state: StartOffset = %d, want %d", s.StartOffset, res.Offset)
	}
}

func TestRestoreRefusesCorruptOrMissingStateFiles(t *testing.T) {
	ctx := context.Background()
	rt := New(Options{})
	defer rt.Close()
	store, root := newStore(t)
	spec := quietSpec("job-1", map[string]string{"local.state-bytes": "128kb", "local.chunk-bytes": "64kb"})
	spec.Storage = store
	ev := startJob(t, rt, spec)
	ev.waitStatus(t, "RUNNING")
	for _, p := range []string{"sp-a", "sp-b"} {
		if _, err := rt.Savepoint(ctx, "job-1", runtime.SavepointTarget{Storage: store, Prefix: p}); err != nil {
			t.Fatal(err)
		}
	}
	// Flip bytes in place, as a failing disk would.
	path := filepath.Join(root, "sp-a", "chunk-00001")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[100] ^= 0xff
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(root, "sp-b", "chunk-00000")); err != nil {
		t.Fatal(err)
	}
	for prefix, file := range map[string]string{"sp-a": "chunk-00001", "sp-b": "chunk-00000"} {
		s := restoreSpec("job-2", store, store, prefix, spec.Config)
		s.Events = newRecorder()
		_, err := rt.Start(ctx, s)
		if !errors.Is(err, runtime.ErrCorruptState) || !strings.Contains(err.Error(), file) {
			t.Fatalf("restore from %s: err = %v, want ErrCorruptState naming %s", prefix, err, file)
		}
	}
	s := restoreSpec("job-2", store, store, "no-such-savepoint", spec.Config)
	s.Events = newRecorder()
	if _, err := rt.Start(ctx, s); !errors.Is(err, runtime.ErrCorruptState) {
		t.Fatalf("restore from a missing directory: err = %v, want ErrCorruptState", err)
	}
}

func TestSavepointFailureIsAClearErrorAndWritesNothing(t *testing.T) {
	rt := New(Options{})
	defer rt.Close()
	store, root := newStore(t)
	spec := quietSpec("job-1", map[string]string{"local.savepoint-failure": "true"})
	spec.Storage = store
	ev := startJob(t, rt, spec)
	ev.waitStatus(t, "RUNNING")
	_, err := rt.Savepoint(context.Background(), "job-1", runtime.SavepointTarget{Storage: store, Prefix: "sp"})
	if err == nil || !strings.Contains(err.Error(), "local.savepoint-failure") {
		t.Fatalf("savepoint err = %v, want one naming local.savepoint-failure", err)
	}
	if _, err := os.Stat(filepath.Join(root, "sp")); !os.IsNotExist(err) {
		t.Fatalf("a failed savepoint left %s behind (stat err %v)", filepath.Join(root, "sp"), err)
	}
	// Stop with savepoint fails too, and the job keeps running.
	if _, err := rt.Stop(context.Background(), "job-1", "STOP_WITH_SAVEPOINT", &runtime.SavepointTarget{Storage: store, Prefix: "sp"}); err == nil {
		t.Fatal("stop with savepoint succeeded although savepoints fail")
	}
	stopJob(t, rt, ev, "job-1")
}

func TestStopStrategiesEndStates(t *testing.T) {
	ctx := context.Background()
	clock := newClock()
	rt := New(Options{Clock: clock.Now})
	defer rt.Close()
	store, _ := newStore(t)

	spec := quietSpec("job-sp", map[string]string{"local.state-bytes": "64kb"})
	spec.Storage = store
	ev := startJob(t, rt, spec)
	ev.waitStatus(t, "RUNNING")
	clock.Advance(3 * time.Second)
	res, err := rt.Stop(ctx, "job-sp", "STOP_WITH_SAVEPOINT", &runtime.SavepointTarget{Storage: store, Prefix: "final"})
	if err != nil {
		t.Fatalf("stop with savepoint: %v", err)
	}
	if res == nil || res.Offset != 3000 || res.SizeBytes != 64<<10 {
		t.Fatalf("stop-with-savepoint result = %+v, want offset 3000 and 65536 bytes", res)
	}
	ev.waitStatus(t, "CANCELLED")
	if m, err := runtime.VerifyState(ctx, store, "final"); err != nil || m.Offset != 3000 {
		t.Fatalf("final savepoint: offset %d, err %v", m.Offset, err)
	}

	spec.JobID = "job-drain"
	ev = startJob(t, rt, spec)
	ev.waitStatus(t, "RUNNING")
	if res, err := rt.Stop(ctx, "job-drain", "STOP_WITH_DRAIN", nil); err != nil || res != nil {
		t.Fatalf("stop with drain: result %v, err %v", res, err)
	}
	ev.waitStatus(t, "FINISHED")

	if _, err := rt.Stop(ctx, "job-drain", "NONE", nil); !errors.Is(err, runtime.ErrUnknownJob) {
		t.Fatalf("stopping a stopped job: err = %v, want ErrUnknownJob", err)
	}
	spec.JobID = "job-bad"
	ev = startJob(t, rt, spec)
	if _, err := rt.Stop(ctx, "job-bad", "PAUSE", nil); err == nil || !strings.Contains(err.Error(), "STOP_WITH_DRAIN") {
		t.Fatalf("unknown stop strategy: err = %v, want one listing the strategies", err)
	}
}

func TestStateTTLBoundsStateSize(t *testing.T) {
	ctx := context.Background()
	clock := newClock()
	rt := New(Options{Clock: clock.Now})
	defer rt.Close()
	store, _ := newStore(t)
	sizes := map[string]int64{}
	for id, ttl := range map[string]string{"no-ttl": "", "ttl-1s": "1000", "ttl-36h": "36h"} {
		cfg := map[string]string{"local.state-bytes": "1mb", "local.chunk-bytes": "64kb", "local.records-per-second": "1000"}
		if ttl != "" {
			cfg["table.exec.state.ttl"] = ttl
		}
		spec := quietSpec(id, cfg)
		spec.Storage = store
		ev := startJob(t, rt, spec)
		ev.waitStatus(t, "RUNNING")
	}
	clock.Advance(10 * time.Second) // 10000 records read; a 1s TTL keeps the keys of the last 1000
	for _, id := range []string{"no-ttl", "ttl-1s", "ttl-36h"} {
		res, err := rt.Savepoint(ctx, id, runtime.SavepointTarget{Storage: store, Prefix: "sp-" + id})
		if err != nil {
			t.Fatal(err)
		}
		if res.Offset != 10000 {
			t.Fatalf("%s offset = %d, want 10000", id, res.Offset)
		}
		sizes[id] = res.SizeBytes
	}
	if sizes["no-ttl"] != 1<<20 || sizes["ttl-36h"] != 1<<20 {
		t.Fatalf("state without a TTL or with a long one = %d / %d bytes, want 1048576", sizes["no-ttl"], sizes["ttl-36h"])
	}
	if want := int64(1<<20) / 10; sizes["ttl-1s"] != want {
		t.Fatalf("state with a 1s TTL after 10s = %d bytes, want a tenth of 1 MiB (%d)", sizes["ttl-1s"], want)
	}
}

func TestStartRejectsBadConfigurationAndUnknownJobs(t *testing.T) {
	rt := New(Options{})
	defer rt.Close()
	store, _ := newStore(t)
	spec := quietSpec("job-1", map[string]string{"local.state-bytes": "lots"})
	spec.Storage = store
	spec.Events = newRecorder()
	if _, err := rt.Start(context.Background(), spec); err == nil || !strings.Contains(err.Error(), "local.state-bytes") {
		t.Fatalf("start with a bad size: err = %v, want one naming local.state-bytes", err)
	}
	if _, err := rt.Savepoint(context.Background(), "nope", runtime.SavepointTarget{Storage: store, Prefix: "x"}); !errors.Is(err, runtime.ErrUnknownJob) {
		t.Fatalf("savepoint of an unknown job: err = %v, want ErrUnknownJob", err)
	}
}

// local.savepoint-delay holds a savepoint back (to try what waits for one); a caller that gives up ends
// the wait, and nothing is written.
func TestSavepointDelayWaitsUntilTheCallerGivesUp(t *testing.T) {
	rt := New(Options{})
	defer rt.Close()
	store, root := newStore(t)
	spec := quietSpec("job-1", map[string]string{"local.savepoint-delay": "1h"})
	spec.Storage = store
	ev := startJob(t, rt, spec)
	ev.waitStatus(t, "RUNNING")
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := rt.Savepoint(ctx, "job-1", runtime.SavepointTarget{Storage: store, Prefix: "sp"})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("savepoint err = %v, want the caller's deadline (it waits out local.savepoint-delay)", err)
	}
	if _, err := os.Stat(filepath.Join(root, "sp")); !os.IsNotExist(err) {
		t.Fatalf("a savepoint given up on left %s behind (stat err %v)", filepath.Join(root, "sp"), err)
	}
	stopJob(t, rt, ev, "job-1")
}
