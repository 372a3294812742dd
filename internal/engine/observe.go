package engine

import (
	"context"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/lease"
	"github.com/streamstate/terraform-provider-flink/internal/store"
)

// Observer receives the engine's measurements as they happen. internal/metrics implements it with
// Prometheus; the engine knows nothing of metrics formats or HTTP. Calls must return quickly: they come
// from the goroutines that record checkpoints, snapshots and schedule fires.
type Observer interface {
	// CheckpointRecorded is called once per system checkpoint the runtime reports.
	CheckpointRecorded(completed bool, duration time.Duration)
	// SnapshotRecorded is called once per job snapshot that ends COMPLETED or FAILED.
	SnapshotRecorded(completed bool, duration time.Duration)
	// ScheduleFired is called when a snapshot schedule fires, with how late it is against its window.
	ScheduleFired(lateness time.Duration)
}

type noObserver struct{}

func (noObserver) CheckpointRecorded(bool, time.Duration) {}
func (noObserver) SnapshotRecorded(bool, time.Duration)   {}
func (noObserver) ScheduleFired(time.Duration)            {}

// Stats are the engine's current counts, read when metrics are scraped.
type Stats struct {
	JobsByStatus       map[string]int
	IdempotencyRecords int
	// Clones lists the clones in progress (PENDING or RUNNING).
	Clones []CloneStats
	// Leases is this replica's lease state; nil without replicas.
	Leases *lease.Stats
}

// CloneStats is one clone's progress.
type CloneStats struct {
	ID, Status                   string
	Percent, Total, Done, Failed int
}

var jobStatuses = []string{api.JobStarting, api.JobRunning, api.JobCancelling, api.JobCancelled, api.JobFailed, api.JobFinished}

// Stats counts jobs by status, idempotency records and the progress of clones in progress.
func (e *Engine) Stats(ctx context.Context) (Stats, error) {
	out := Stats{JobsByStatus: map[string]int{}}
	if ls, ok := e.ReplicaStats(); ok {
		out.Leases = &ls
	}
	err := e.store.View(ctx, func(tx store.Tx) error {
		for _, s := range jobStatuses {
			n, err := tx.Count(store.Jobs, store.Cols{"status": s})
			if err != nil {
				return err
			}
			out.JobsByStatus[s] = n
		}
		n, err := tx.Count(store.IdempotencyKeys, nil)
		if err != nil {
			return err
		}
		out.IdempotencyRecords = n
		for _, status := range []string{api.ClonePending, api.CloneRunning} {
			var clones []api.Clone
			if err := tx.List(store.Clones, store.Query{Where: store.Cols{"status": status}}, &clones); err != nil {
				return err
			}
			for _, c := range clones {
				cs := CloneStats{ID: c.ID, Status: c.Status, Percent: c.Progress.Percent}
				for _, k := range c.Progress.Counts {
					cs.Total, cs.Done, cs.Failed = cs.Total+k.Total, cs.Done+k.Done, cs.Failed+k.Failed
				}
				out.Clones = append(out.Clones, cs)
			}
		}
		return nil
	})
	return out, err
}

// Readiness is what /readyz reports: whether the store answers, and this replica's leases.
type Readiness struct {
	Store      string       `json:"store"` // "ok" or the error
	StoreReady bool         `json:"-"`
	Leases     *lease.Stats `json:"leases,omitempty"` // nil without replicas
}

// Readiness reads one row's worth of the store and this replica's lease state.
func (e *Engine) Readiness(ctx context.Context) Readiness {
	r := Readiness{Store: "ok", StoreReady: true}
	if err := e.store.View(ctx, func(tx store.Tx) error { _, err := tx.Count(store.Users, nil); return err }); err != nil {
		r.Store, r.StoreReady = err.Error(), false
	}
	if ls, ok := e.ReplicaStats(); ok {
		r.Leases = &ls
	}
	return r
}
