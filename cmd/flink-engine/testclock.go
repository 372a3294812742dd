//go:build testclock

package main

import (
	"crypto/subtle"
	"encoding/json"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/engine"
)

// TestClockEnv switches the test clock on in a test build (go build -tags testclock). Release builds
// have no test clock at all: testclock_off.go replaces this file.
const TestClockEnv = "FLINK_ENGINE_TEST_CLOCK"

// TestReplicasEnv makes a test build treat its SQLite file as shared by several engine processes on one
// machine (FLINK_ENGINE_TEST_REPLICAS=1), so multi-replica tests run without a database server. Release
// builds have no such switch: replicas there need a shared database.
const TestReplicasEnv = "FLINK_ENGINE_TEST_REPLICAS"

func testReplicas() bool { return os.Getenv(TestReplicasEnv) == "1" }

// offsetClock is the wall clock plus an offset that only grows, so time keeps running and tests jump it.
type offsetClock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *offsetClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *offsetClock) advance(d time.Duration) time.Time {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
	return c.now()
}

// testClock returns the engine's clock and a wrapper for its HTTP handler. With FLINK_ENGINE_TEST_CLOCK=1
// the clock can be moved forward by the admin: POST /test/clock {"advance":"11m"} moves it, runs the
// scheduler's pending work (fires and cleanup) and answers {"now": ...}.
func testClock(log *slog.Logger) (func() time.Time, func(h http.Handler, eng *engine.Engine, adminToken string) http.Handler) {
	if os.Getenv(TestClockEnv) != "1" {
		return nil, func(h http.Handler, _ *engine.Engine, _ string) http.Handler { return h }
	}
	log.Warn("test clock enabled: the admin can move this engine's time forward (POST /test/clock)")
	c := &offsetClock{}
	wrap := func(h http.Handler, eng *engine.Engine, adminToken string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/test/clock" {
				h.ServeHTTP(w, r)
				return
			}
			if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), []byte("Bearer "+adminToken)) != 1 {
				http.Error(w, "the test clock needs the admin token", http.StatusForbidden)
				return
			}
			var in struct {
				Advance string `json:"advance"`
			}
			d, err := time.Duration(0), json.NewDecoder(r.Body).Decode(&in)
			if err == nil {
				d, err = time.ParseDuration(in.Advance)
			}
			if r.Method != http.MethodPost || err != nil || d < 0 {
				http.Error(w, `POST {"advance":"<a non-negative Go duration>"}`, http.StatusBadRequest)
				return
			}
			now := c.advance(d)
			eng.WakeScheduler()
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]time.Time{"now": now.UTC()})
		})
	}
	return c.now, wrap
}
