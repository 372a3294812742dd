// Package replicatest runs several real flink-engine processes on 127.0.0.1 sharing one store and one
// managed storage, and checks what replicas promise: background work has one owner at a time, a killed
// replica's work moves to another, and API guarantees (idempotency keys, optimistic versions) hold
// whichever replica a request reaches.
package replicatest

import (
	"testing"

	"github.com/streamstate/terraform-provider-flink/internal/enginetest"
)

func TestMain(m *testing.M) { enginetest.Main(m) }
