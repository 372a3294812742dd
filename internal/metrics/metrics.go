// Package metrics exposes flink-engine's measurements in the Prometheus format (GET /metrics): HTTP
// requests by route and code, checkpoint and snapshot outcomes and durations, scheduler lateness, and,
// read from the engine at scrape time, jobs by status, clone progress and the idempotency table's size.
package metrics

import (
	"context"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/streamstate/terraform-provider-flink/internal/engine"
)

// Metrics records measurements into its own registry. It implements engine.Observer.
type Metrics struct {
	reg            *prometheus.Registry
	requests       *prometheus.CounterVec
	requestLatency *prometheus.HistogramVec
	checkpoints    *prometheus.HistogramVec
	snapshots      *prometheus.HistogramVec
	lateness       prometheus.Histogram
	stats          atomic.Pointer[func(context.Context) (engine.Stats, error)]
}

var _ engine.Observer = (*Metrics)(nil)

// stateBuckets suit checkpoint and snapshot durations: from 10 ms to about 20 minutes.
var stateBuckets = prometheus.ExponentialBuckets(0.01, 3, 12)

// New builds the metrics with Go runtime and process collectors registered.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "flink_engine_http_requests_total",
			Help: "HTTP requests by route pattern and status code."}, []string{"route", "code"}),
		requestLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "flink_engine_http_request_duration_seconds",
			Help: "HTTP request latency by route pattern.", Buckets: prometheus.DefBuckets}, []string{"route"}),
		checkpoints: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "flink_engine_checkpoint_duration_seconds",
			Help:    "System checkpoint durations by outcome (completed or failed); the count is the number of checkpoints.",
			Buckets: stateBuckets}, []string{"outcome"}),
		snapshots: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "flink_engine_snapshot_duration_seconds",
			Help:    "Job snapshot durations by outcome (completed or failed); the count is the number of snapshots.",
			Buckets: stateBuckets}, []string{"outcome"}),
		lateness: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "flink_engine_scheduler_lateness_seconds",
			Help: "How late scheduled snapshots fire against their cron window.", Buckets: prometheus.ExponentialBuckets(0.001, 4, 10)}),
	}
	m.reg.MustRegister(m.requests, m.requestLatency, m.checkpoints, m.snapshots, m.lateness, statsCollector{m},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// ReadStatsFrom sets where the scrape-time counts come from (the engine's Stats, once it exists).
func (m *Metrics) ReadStatsFrom(fn func(context.Context) (engine.Stats, error)) { m.stats.Store(&fn) }

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// ObserveRequest counts one HTTP request; route is the matched pattern ("" when none matched).
func (m *Metrics) ObserveRequest(route string, code int, d time.Duration) {
	if route == "" || route == "/" {
		route = "unmatched"
	}
	m.requests.WithLabelValues(route, strconv.Itoa(code)).Inc()
	m.requestLatency.WithLabelValues(route).Observe(d.Seconds())
}

func outcome(completed bool) string {
	if completed {
		return "completed"
	}
	return "failed"
}

// CheckpointRecorded implements engine.Observer.
func (m *Metrics) CheckpointRecorded(completed bool, d time.Duration) {
	m.checkpoints.WithLabelValues(outcome(completed)).Observe(max(d, 0).Seconds())
}

// SnapshotRecorded implements engine.Observer.
func (m *Metrics) SnapshotRecorded(completed bool, d time.Duration) {
	m.snapshots.WithLabelValues(outcome(completed)).Observe(max(d, 0).Seconds())
}

// ScheduleFired implements engine.Observer.
func (m *Metrics) ScheduleFired(lateness time.Duration) {
	m.lateness.Observe(max(lateness, 0).Seconds())
}

// statsCollector reads the engine's counts when scraped, so gauges are never stale.
type statsCollector struct{ m *Metrics }

var (
	jobsDesc = prometheus.NewDesc("flink_engine_jobs", "Jobs by status.", []string{"status"}, nil)
	idemDesc = prometheus.NewDesc("flink_engine_idempotency_records",
		"Records in the idempotency table (swept after --idempotency-ttl).", nil, nil)
	clonePercentDesc = prometheus.NewDesc("flink_engine_clone_progress_percent", "Progress of each clone in progress.",
		[]string{"clone_id", "status"}, nil)
	cloneItemsDesc = prometheus.NewDesc("flink_engine_clone_items", "Items of each clone in progress by state (total, done, failed).",
		[]string{"clone_id", "state"}, nil)
	clonesDesc = prometheus.NewDesc("flink_engine_clones_in_progress", "Clones PENDING or RUNNING.", nil, nil)
	// The lease series exist only with replicas (a store shared by several engines).
	leasesHeldDesc = prometheus.NewDesc("flink_engine_leases_held",
		"Leases this replica holds by kind: clone, job (an active job each) or a singleton loop's name.", []string{"kind"}, nil)
	leasesAcquiredDesc = prometheus.NewDesc("flink_engine_lease_acquisitions_total",
		"Leases this replica acquired since it started.", nil, nil)
	failoversDesc = prometheus.NewDesc("flink_engine_lease_failovers_total",
		"Leases this replica took over from a replica that stopped renewing them (work moved after a failure).", nil, nil)
	leasesLostDesc = prometheus.NewDesc("flink_engine_leases_lost_total",
		"Leases this replica lost while holding them (another replica took over its work).", nil, nil)
)

func (c statsCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{jobsDesc, idemDesc, clonePercentDesc, cloneItemsDesc, clonesDesc,
		leasesHeldDesc, leasesAcquiredDesc, failoversDesc, leasesLostDesc} {
		ch <- d
	}
}

func (c statsCollector) Collect(ch chan<- prometheus.Metric) {
	fn := c.m.stats.Load()
	if fn == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	st, err := (*fn)(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(jobsDesc, err)
		return
	}
	for status, n := range st.JobsByStatus {
		ch <- prometheus.MustNewConstMetric(jobsDesc, prometheus.GaugeValue, float64(n), status)
	}
	ch <- prometheus.MustNewConstMetric(idemDesc, prometheus.GaugeValue, float64(st.IdempotencyRecords))
	ch <- prometheus.MustNewConstMetric(clonesDesc, prometheus.GaugeValue, float64(len(st.Clones)))
	if l := st.Leases; l != nil {
		for kind, n := range l.HeldByKind {
			ch <- prometheus.MustNewConstMetric(leasesHeldDesc, prometheus.GaugeValue, float64(n), kind)
		}
		ch <- prometheus.MustNewConstMetric(leasesAcquiredDesc, prometheus.CounterValue, float64(l.Acquired))
		ch <- prometheus.MustNewConstMetric(failoversDesc, prometheus.CounterValue, float64(l.Failovers))
		ch <- prometheus.MustNewConstMetric(leasesLostDesc, prometheus.CounterValue, float64(l.Lost))
	}
	for _, cl := range st.Clones {
		ch <- prometheus.MustNewConstMetric(clonePercentDesc, prometheus.GaugeValue, float64(cl.Percent), cl.ID, cl.Status)
		for state, n := range map[string]int{"total": cl.Total, "done": cl.Done, "failed": cl.Failed} {
			ch <- prometheus.MustNewConstMetric(cloneItemsDesc, prometheus.GaugeValue, float64(n), cl.ID, state)
		}
	}
}
