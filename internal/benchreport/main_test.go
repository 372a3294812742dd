package main

import (
	"bytes"
	"strings"
	"testing"
)

const sample = `goos: linux
pkg: github.com/streamstate/terraform-provider-flink/internal/engine
BenchmarkStatefulClone-2   	       1	6976298487 ns/op	         2.457 clone-s	         0.5437 clone/cp	         4.519 cp-s
    clone_bench_test.go:40: some log line with 3 numbers 4 units
BenchmarkSchedulerIdleCPU10000Policies-2 	       1	5000000000 ns/op	         0.03000 cpu_%_of_core	     10000 policies
pkg: github.com/streamstate/terraform-provider-flink/internal/provider
BenchmarkPlanSnapshots/300-2         	       1	21093407688 ns/op	         1.296 noop_plan_s	         1.100 plan/noop
BenchmarkPlanSnapshots/1000
--- FAIL: BenchmarkPlanSnapshots/1000
ok  	github.com/streamstate/terraform-provider-flink/internal/provider	30.1s
`

func TestParseReadsNamesPackagesAndEveryMetric(t *testing.T) {
	got, err := parse(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("parsed %d results, want 3: %+v", len(got), got)
	}
	if got[0].Name != "BenchmarkStatefulClone" || got[0].Package != "github.com/streamstate/terraform-provider-flink/internal/engine" ||
		got[0].Metrics["clone/cp"] != 0.5437 || got[0].Metrics["ns/op"] != 6976298487 {
		t.Fatalf("first result = %+v", got[0])
	}
	if got[2].Name != "BenchmarkPlanSnapshots/300" || got[2].Metrics["plan/noop"] != 1.1 {
		t.Fatalf("sub-benchmark result = %+v", got[2])
	}
}

func TestEvaluateJudgesTargetsAndLeavesAbsentFiguresUnmeasured(t *testing.T) {
	results, _ := parse(strings.NewReader(sample))
	rows := evaluate(figures, results)
	byBench := map[string]row{}
	for _, r := range rows {
		byBench[r.Figure] = r
	}
	check := func(fig, measured, met string) {
		t.Helper()
		var buf bytes.Buffer
		printTable(&buf, []row{byBench[fig]})
		line := strings.Split(buf.String(), "\n")[1]
		if !strings.Contains(line, measured) || !strings.HasSuffix(strings.TrimSpace(line), met) {
			t.Errorf("%s: row %q, want measured %s and met %s", fig, line, measured, met)
		}
	}
	name := func(bench, unit string) string {
		t.Helper()
		for _, f := range figures {
			if f.Benchmark == bench && f.Unit == unit {
				return f.Name
			}
		}
		t.Fatalf("no figure for %s %s", bench, unit)
		return ""
	}
	stateful := name("BenchmarkStatefulClone", "clone/cp")
	check(stateful, "0.544", "NO")                                                        // 0.5437 > 0.25
	check(name("BenchmarkSchedulerIdleCPU10000Policies", "cpu_%_of_core"), "0.03", "yes") // idle CPU
	check(name("BenchmarkPlanSnapshots/300", "plan/noop"), "1.1", "yes")
	check(name("BenchmarkPlanSnapshots/1000", "plan/noop"), "not measured", "-")      // the 1,000 run failed
	check(name("BenchmarkMetadataStores/postgres", "creates/s"), "not measured", "-") // no PostgreSQL benchmark ran
	if r := byBench[stateful]; r.Met == nil || *r.Met {
		t.Fatalf("stateful clone row = %+v, want met=false", r)
	}
}
