//go:build !testclock

package main

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/engine"
)

// testClock: a release build has no test clock; the engine uses the wall clock (see testclock.go).
func testClock(*slog.Logger) (func() time.Time, func(h http.Handler, eng *engine.Engine, adminToken string) http.Handler) {
	return nil, func(h http.Handler, _ *engine.Engine, _ string) http.Handler { return h }
}

// testReplicas: a release build never shares an SQLite file between engines (see testclock.go).
func testReplicas() bool { return false }
