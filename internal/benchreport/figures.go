package main

// figure is one row of the table: a metric one benchmark reports with b.ReportMetric, and its target.
type figure struct {
	Name      string // what the ratio compares, as issue #14 words it
	Benchmark string // benchmark name without the -GOMAXPROCS suffix; a prefix ending in "*" matches any
	Unit      string // the b.ReportMetric unit
	Max       float64
	HasMax    bool // false: reported, no target
}

// figures are the rows `make bench` prints and writes to bench.json, in the order. A benchmark
// that did not run (no PostgreSQL, no Terraform) leaves its row "not measured" rather than failing.
var figures = []figure{
	{Name: "stateless clone of 10,000 objects vs creating them one by one (SQLite)", Benchmark: "BenchmarkStatelessClone", Unit: "clone/api", Max: 0.1, HasMax: true},
	{Name: "stateless clone of 10,000 objects vs one by one, SQLite store (metadata-store bench)", Benchmark: "BenchmarkMetadataStores/sqlite", Unit: "clone/api", Max: 0.1, HasMax: true},
	{Name: "stateless clone of 10,000 objects vs one by one, PostgreSQL store", Benchmark: "BenchmarkMetadataStores/postgres", Unit: "clone/api", Max: 0.1, HasMax: true},
	{Name: "object creates per second through the API, SQLite store", Benchmark: "BenchmarkMetadataStores/sqlite", Unit: "creates/s"},
	{Name: "object creates per second through the API, PostgreSQL store", Benchmark: "BenchmarkMetadataStores/postgres", Unit: "creates/s"},
	{Name: "terraform plan over 300 flink_job_snapshot vs 300 no-op plugin resources", Benchmark: "BenchmarkPlanSnapshots/300", Unit: "plan/noop", Max: 1.2, HasMax: true},
	{Name: "terraform plan over 1,000 flink_job_snapshot vs 1,000 no-op plugin resources", Benchmark: "BenchmarkPlanSnapshots/1000", Unit: "plan/noop", Max: 1.2, HasMax: true},
	{Name: "stateful clone of 200 stopped jobs x 5 MB (local storage) vs cp -r", Benchmark: "BenchmarkStatefulClone", Unit: "clone/cp", Max: 0.25, HasMax: true},
	{Name: "256 MiB snapshot vs a plain write + fsync of the same bytes", Benchmark: "BenchmarkSavepoint256MiB", Unit: "savepoint/plain_ratio", Max: 1.2, HasMax: true},
	{Name: "idle CPU with 10,000 active policies (% of one core)", Benchmark: "BenchmarkSchedulerIdleCPU10000Policies", Unit: "cpu_%_of_core", Max: 2, HasMax: true},
	{Name: "failover: kill -9 of a clone's replica until the clone runs again (lease periods)", Benchmark: "BenchmarkFailover", Unit: "lease-periods", Max: 2, HasMax: true},
}
