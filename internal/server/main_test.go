package server_test

import (
	"testing"

	"github.com/streamstate/terraform-provider-flink/internal/enginetest"
)

// TestMain stops the PostgreSQL server (FLINK_ENGINE_TEST_DATABASE=postgres) when the tests end.
func TestMain(m *testing.M) { enginetest.Main(m) }
