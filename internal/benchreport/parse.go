package main

import (
	"bufio"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// result is one benchmark line: its name (without the -GOMAXPROCS suffix), package and metrics by unit.
type result struct {
	Name    string             `json:"name"`
	Package string             `json:"package"`
	Metrics map[string]float64 `json:"metrics"`
}

var procsSuffix = regexp.MustCompile(`-\d+$`)

// parse reads `go test -bench` output: "pkg:" lines name the package of the lines after them, and a
// result line is a name, an iteration count, then value-unit pairs. Everything else (logs) is skipped.
func parse(r io.Reader) ([]result, error) {
	var (
		results []result
		pkg     string
	)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if p, ok := strings.CutPrefix(line, "pkg: "); ok {
			pkg = strings.TrimSpace(p)
			continue
		}
		fields := strings.Fields(line)
		if len(fields) < 4 || !strings.HasPrefix(fields[0], "Benchmark") || len(fields)%2 != 0 {
			continue
		}
		if _, err := strconv.ParseInt(fields[1], 10, 64); err != nil {
			continue
		}
		res := result{Name: procsSuffix.ReplaceAllString(fields[0], ""), Package: pkg, Metrics: map[string]float64{}}
		valid := true
		for i := 2; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				valid = false
				break
			}
			res.Metrics[fields[i+1]] = v
		}
		if valid {
			results = append(results, res)
		}
	}
	return results, sc.Err()
}
