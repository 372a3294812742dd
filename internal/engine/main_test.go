package engine_test

import (
	"testing"

	"github.com/streamstate/terraform-provider-flink/internal/enginetest"
)

// TestMain removes the engine binary the crash tests build (enginetest.BuildEngine).
func TestMain(m *testing.M) { enginetest.Main(m) }
