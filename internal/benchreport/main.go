// Command benchreport reads `go test -bench` output on stdin and prints the figures issue #14 tracks in
// one table (figure, measured, target, met?), then writes them, with every metric every benchmark
// reported, to a JSON file. Both sides of each ratio come from the benchmark that reports it, so one
// `make bench` run is one measurement. With -strict it exits 1 when a measured figure misses its target.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
)

func main() {
	out := flag.String("json", "bench.json", "file to write the figures and all reported metrics to")
	strict := flag.Bool("strict", false, "exit 1 when a measured figure misses its target")
	flag.Parse()
	results, err := parse(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(2)
	}
	rows := evaluate(figures, results)
	printTable(os.Stdout, rows)
	body, err := json.MarshalIndent(report{Figures: rows, Benchmarks: results}, "", "  ")
	if err == nil {
		err = os.WriteFile(*out, append(body, '\n'), 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(2)
	}
	if *strict {
		for _, r := range rows {
			if r.Met != nil && !*r.Met {
				os.Exit(1)
			}
		}
	}
}

type report struct {
	Figures    []row    `json:"figures"`
	Benchmarks []result `json:"benchmarks"`
}

// row is a figure as measured in this run. Measured and Met are null when the benchmark did not run.
type row struct {
	Figure    string   `json:"figure"`
	Benchmark string   `json:"benchmark"`
	Unit      string   `json:"unit"`
	Measured  *float64 `json:"measured"`
	Target    string   `json:"target"`
	Met       *bool    `json:"met"`
}

func evaluate(figs []figure, results []result) []row {
	rows := make([]row, 0, len(figs))
	for _, f := range figs {
		r := row{Figure: f.Name, Benchmark: f.Benchmark, Unit: f.Unit, Target: "-"}
		if f.HasMax {
			r.Target = fmt.Sprintf("<= %g", f.Max)
		}
		for _, res := range results {
			v, ok := res.Metrics[f.Unit]
			if !ok || !matches(f.Benchmark, res.Name) {
				continue
			}
			r.Benchmark, r.Measured = res.Name, &v
			if f.HasMax {
				met := v <= f.Max
				r.Met = &met
			}
			break
		}
		rows = append(rows, r)
	}
	return rows
}

func matches(pattern, name string) bool {
	if prefix, ok := strings.CutSuffix(pattern, "*"); ok {
		return strings.HasPrefix(name, prefix)
	}
	return pattern == name
}

func printTable(w io.Writer, rows []row) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "figure\tmeasured\ttarget\tmet?")
	for _, r := range rows {
		measured, met := "not measured", "-"
		if r.Measured != nil {
			measured = fmt.Sprintf("%.3g", *r.Measured)
		}
		if r.Met != nil {
			met = map[bool]string{true: "yes", false: "NO"}[*r.Met]
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Figure, measured, r.Target, met)
	}
	tw.Flush()
}
