package server_test

import (
	"net/http"
	"regexp"
	"strconv"
	"testing"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/enginetest"
	"github.com/streamstate/terraform-provider-flink/internal/metrics"
	"github.com/streamstate/terraform-provider-flink/internal/server"
)

// Item 17: GET /metrics speaks the Prometheus text format to the admin only, and counts requests by
// route and code, jobs by status, checkpoints, snapshots and idempotency records.
func TestMetricsForTheAdmin(t *testing.T) {
	t.Parallel()
	m := metrics.New()
	env := enginetest.Start(t, enginetest.Options{Observer: m, Server: server.Options{Metrics: m}})
	m.ReadStatsFrom(env.Engine.Stats)
	admin := env.Admin()
	ws := admin.Workspace(t, "ws")
	ns := admin.Namespace(t, ws.ID, "ns")
	dep := admin.Deployment(t, ns.ID, "dep", enginetest.SQLDeployment("SELECT 1"))
	admin.StartRunning(t, dep.ID, api.StartRequest{})
	admin.WaitCheckpoints(t, dep.ID, 2)
	admin.Snapshot(t, dep.ID, api.SnapshotRequest{})
	admin.WithKey("k").Must(t, "POST", "/tokens", api.TokenRequest{User: "bob"}, nil)
	rawString(t, env, "GET", "/api/v1/whoami", adminAuth, "")
	rawString(t, env, "GET", "/api/v1/objects/nope", adminAuth, "")

	wantProblem(t, rawString(t, env, "GET", "/metrics", "", ""), http.StatusUnauthorized, api.CodeUnauthenticated)
	bob := "Bearer " + userToken(t, env, "bob2")
	wantProblem(t, rawString(t, env, "GET", "/metrics", bob, ""), http.StatusForbidden, api.CodeForbidden)

	r := rawString(t, env, "GET", "/metrics", adminAuth, "")
	if r.status != http.StatusOK {
		t.Fatalf("GET /metrics: %d %s", r.status, r.body)
	}
	text := string(r.body)
	for _, c := range []struct {
		what, series string
		min          float64
	}{
		{"whoami requests", `flink_engine_http_requests_total{code="200",route="GET /api/v1/whoami"}`, 1},
		{"404s by route", `flink_engine_http_requests_total{code="404",route="GET /api/v1/objects/{id}"}`, 1},
		{"latency histogram", `flink_engine_http_request_duration_seconds_count{route="GET /api/v1/whoami"}`, 1},
		{"running jobs", `flink_engine_jobs{status="RUNNING"}`, 1},
		{"completed checkpoints", `flink_engine_checkpoint_duration_seconds_count{outcome="completed"}`, 2},
		{"completed snapshots", `flink_engine_snapshot_duration_seconds_count{outcome="completed"}`, 1},
		{"idempotency records", `flink_engine_idempotency_records`, 1},
		{"clones in progress", `flink_engine_clones_in_progress`, 0},
	} {
		v, ok := sample(text, c.series)
		if !ok || v < c.min {
			t.Errorf("%s: %s = %v (found %v), want >= %v", c.what, c.series, v, ok, c.min)
		}
	}
	if testing.Verbose() {
		t.Logf("scrape: %d bytes", len(text))
	}
}

// sample finds one series' value in a Prometheus text exposition.
func sample(text, series string) (float64, bool) {
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` ([0-9.e+-]+)$`).FindStringSubmatch(text)
	if m == nil {
		return 0, false
	}
	v, err := strconv.ParseFloat(m[1], 64)
	return v, err == nil
}
