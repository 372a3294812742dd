package main

import (
	"log/slog"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/lease"
	"github.com/streamstate/terraform-provider-flink/internal/store"
)

// leasesFor returns a replica's lease manager: engines on a shared database (--database-url) share their
// background work through leases. The embedded SQLite store belongs to one process, which runs all of
// its work itself, as it always did (nil).
func leasesFor(sharedDatabase bool, st store.Store, period time.Duration, log *slog.Logger) *lease.Manager {
	if !sharedDatabase && !testReplicas() {
		return nil
	}
	return lease.New(st, lease.Options{Period: period, Logger: log})
}
