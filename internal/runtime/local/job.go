package local

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/runtime"
)

// job is one simulated streaming job. Its source reads RecordsPerSecond records a second (the offset is
// computed from elapsed time, nothing spins); its keyed state is StateBytes split into chunk files.
type job struct {
	spec     runtime.JobSpec
	cfg      runtime.LocalConfig
	settings runtime.CheckpointSettings
	clock    func() time.Time
	log      *slog.Logger

	mu           sync.Mutex
	startOffset  int64
	runningSince time.Time
	chunks       []chunk
	// lastChangeOffset is the offset at which chunks last changed; advances counts those changes, so
	// each change touches the next window of chunks.
	lastChangeOffset int64
	advances         int64

	// retained is touched only by the checkpoint loop (and by Start before the loop runs).
	retained []retainedCheckpoint
	nextSeq  int64

	cancel  context.CancelFunc
	done    chan struct{}
	closing atomic.Bool // set by Close: end silently
}

// retainedCheckpoint is a completed checkpoint the job keeps until more than Retained exist.
type retainedCheckpoint struct {
	seq        int64
	prefix     string
	sharedKeys []string
}

// offsetAt is the source position at now.
func (j *job) offsetAt(now time.Time) int64 {
	elapsed := now.Sub(j.runningSince)
	if elapsed <= 0 {
		return j.startOffset
	}
	ns := elapsed.Nanoseconds()
	rps := j.cfg.RecordsPerSecond
	return j.startOffset + rps*(ns/1e9) + rps*(ns%1e9)/1e9
}

// StateBytesAt is the keyed state size of a job with cfg after offset records. Without a TTL it is
// cfg.StateBytes. With table.exec.state.ttl, only keys seen within the TTL survive: the state scales by
// min(1, records read within one TTL / all records read), i.e. RecordsPerSecond*TTL / offset.
func StateBytesAt(cfg runtime.LocalConfig, offset int64) int64 {
	if cfg.StateTTL <= 0 || offset <= 0 {
		return cfg.StateBytes
	}
	covered := float64(cfg.RecordsPerSecond) * cfg.StateTTL.Seconds()
	if covered >= float64(offset) {
		return cfg.StateBytes
	}
	return int64(float64(cfg.StateBytes) * covered / float64(offset))
}

// snapshotState brings the chunk table up to now and returns the offset and a copy of the table. Chunks
// change as records arrive: each time the offset has moved, a rotating quarter of the chunks gets a new
// version (so incremental checkpoints write about a quarter of the state); a chunk whose size changes
// (TTL) gets a new version too.
func (j *job) snapshotState(now time.Time) (int64, []chunk) {
	j.mu.Lock()
	defer j.mu.Unlock()
	off := j.offsetAt(now)
	size := StateBytesAt(j.cfg, off)
	n := int((size + j.cfg.ChunkBytes - 1) / j.cfg.ChunkBytes)
	for i := 0; i < n; i++ {
		sz := min(j.cfg.ChunkBytes, size-int64(i)*j.cfg.ChunkBytes)
		switch {
		case i >= len(j.chunks):
			j.chunks = append(j.chunks, chunk{Index: i, Version: 1, Size: sz})
		case j.chunks[i].Size != sz:
			j.chunks[i] = chunk{Index: i, Version: j.chunks[i].Version + 1, Size: sz}
		}
	}
	j.chunks = j.chunks[:n]
	if off > j.lastChangeOffset && n > 0 {
		w := (n + 3) / 4
		start := int(j.advances*int64(w)) % n
		for k := 0; k < w; k++ {
			c := &j.chunks[(start+k)%n]
			*c = chunk{Index: c.Index, Version: c.Version + 1, Size: c.Size}
		}
		j.advances++
		j.lastChangeOffset = off
	}
	return off, append([]chunk(nil), j.chunks...)
}

// recordShared notes that an incremental checkpoint wrote chunk versions to shared/, unless the chunk
// changed meanwhile.
func (j *job) recordShared(written []chunk) {
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, w := range written {
		if w.Index < len(j.chunks) && j.chunks[w.Index].Version == w.Version && j.chunks[w.Index].Size == w.Size {
			j.chunks[w.Index].SharedKey, j.chunks[w.Index].SHA256 = w.SharedKey, w.SHA256
		}
	}
}

func (j *job) status(s runtime.JobStatus) {
	if !j.closing.Load() {
		j.spec.Events.JobStatusChanged(j.spec.JobID, s)
	}
}

// run reports STARTING and RUNNING, then checkpoints until ctx ends. A checkpoint starts Interval after
// the previous one started and MinPause after it ended, whichever is later.
func (j *job) run(ctx context.Context) {
	defer close(j.done)
	j.status(runtime.JobStatus{Status: api.JobStarting})
	j.status(runtime.JobStatus{Status: api.JobRunning, StartOffset: j.startOffset})
	next := time.Now().Add(j.settings.Interval)
	timer := time.NewTimer(j.settings.Interval)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		started := time.Now()
		j.checkpoint(ctx)
		next = maxTime(started.Add(j.settings.Interval), time.Now().Add(j.settings.MinPause))
		timer.Reset(time.Until(next))
	}
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
