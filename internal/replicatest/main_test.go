// Package replicatest runs several real flink-engine processes on 127.0.0.1 sharing one store and one
// managed storage, and checks what replicas promise: background work has one owner at a time, a killed
// or paused replica's work moves to another, and API guarantees (idempotency keys, optimistic versions)
// hold whichever replica a request reaches.
package replicatest

import (
	"os"
	"testing"

	"github.com/streamstate/terraform-provider-flink/internal/enginetest"
	"github.com/streamstate/terraform-provider-flink/internal/pgtest"
)

// TestMain runs the replicas on one PostgreSQL database (pgtest), as in production. With
// FLINK_ENGINE_TEST_DATABASE=sqlite they share one SQLite file instead (test builds only allow that).
func TestMain(m *testing.M) {
	if os.Getenv(pgtest.EnvTestDatabase) == "" {
		os.Setenv(pgtest.EnvTestDatabase, "postgres")
	}
	enginetest.Main(m)
}
