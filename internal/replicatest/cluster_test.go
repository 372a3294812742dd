package replicatest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/engine"
	"github.com/streamstate/terraform-provider-flink/internal/enginetest"
)

// cluster is engine processes sharing one data directory: its secret key, its managed storage (declared
// shared) and the store: the PostgreSQL database enginetest makes for that directory (--database-url), or
// with FLINK_ENGINE_TEST_DATABASE=sqlite the directory's SQLite file, which the test build then treats as
// shared (FLINK_ENGINE_TEST_REPLICAS=1).
type cluster struct {
	t      testing.TB
	dir    string
	period time.Duration
}

func newCluster(t testing.TB, period time.Duration) *cluster {
	return &cluster{t: t, dir: t.TempDir(), period: period}
}

// start starts one more replica (a test build, so its clock can be moved with POST /test/clock).
func (c *cluster) start() *enginetest.Process {
	c.t.Helper()
	p := enginetest.StartProcessWith(c.t, c.dir, enginetest.ProcessOptions{TestBuild: true,
		Args: []string{"--lease-period", c.period.String()},
		Env:  []string{"FLINK_ENGINE_TEST_CLOCK=1", "FLINK_ENGINE_TEST_REPLICAS=1"}})
	c.t.Cleanup(func() {
		if c.t.Failed() {
			c.t.Logf("replica %s, its last warnings and errors:\n%s", p.URL, lastProblems(p.Log(), 30))
		}
	})
	return p
}

// lastProblems keeps the last n lines of a JSON log that are not INFO.
func lastProblems(log string, n int) string {
	var out []string
	for _, line := range strings.Split(log, "\n") {
		if line != "" && !strings.Contains(line, `"level":"INFO"`) {
			out = append(out, line)
		}
	}
	return strings.Join(out[max(0, len(out)-n):], "\n")
}

// readiness reads a replica's /readyz.
func readiness(t testing.TB, p *enginetest.Process) engine.Readiness {
	t.Helper()
	resp, err := http.Get(p.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r engine.Readiness
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("/readyz of %s: %d, %v", p.URL, resp.StatusCode, err)
	}
	if r.Store != "ok" || r.Leases == nil {
		t.Fatalf("/readyz of %s = %+v: want the store ok and the lease state of a replica", p.URL, r)
	}
	return r
}

// held counts a replica's leases of one kind (clone, job).
func held(t testing.TB, p *enginetest.Process, kind string) int {
	return readiness(t, p).Leases.HeldByKind[kind]
}

// advance moves the test clocks of every replica by d at once; each replica's scheduler runs its due
// work before answering.
func advance(t testing.TB, d time.Duration, procs ...*enginetest.Process) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, len(procs))
	for _, p := range procs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest(http.MethodPost, p.URL+"/test/clock", strings.NewReader(fmt.Sprintf(`{"advance":%q}`, d.String())))
			req.Header.Set("Authorization", "Bearer "+enginetest.AdminToken)
			resp, err := http.DefaultClient.Do(req)
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					err = fmt.Errorf("POST /test/clock on %s: %s", p.URL, resp.Status)
				}
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

// allSnapshots lists a namespace's snapshots of one origin, every page.
func allSnapshots(t testing.TB, c *enginetest.Client, nsID, origin string) []api.Snapshot {
	t.Helper()
	var out []api.Snapshot
	token := ""
	for {
		var page api.Page[api.Snapshot]
		c.Must(t, "GET", fmt.Sprintf("/snapshots?namespace_id=%s&origin=%s&limit=1000&page_token=%s", nsID, origin, token), nil, &page)
		out = append(out, page.Items...)
		if token = page.NextPageToken; token == "" {
			return out
		}
	}
}

// parallel runs fn(i) for i in [0, n) on a few goroutines and fails the test with the first error.
func parallel(t testing.TB, n, workers int, fn func(i int) error) {
	t.Helper()
	next := make(chan int)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := fn(i); err != nil {
					errs <- err
				}
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// must is Client.Try that turns a non-2xx answer into an error (for goroutines).
func must(c *enginetest.Client, method, path string, body, out any) error {
	status, prob, err := c.Try(method, path, body, out)
	if err == nil && status >= 300 {
		err = fmt.Errorf("%s %s: %d %s: %s", method, path, status, prob.Code, prob.Detail)
	}
	return err
}

func jsonRaw(v any) (json.RawMessage, error) { return json.Marshal(v) }

// metric reads one unlabelled series from a replica's /metrics (admin token).
func metric(t testing.TB, p *enginetest.Process, name string) float64 {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, p.URL+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+enginetest.AdminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(body), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			return f
		}
	}
	t.Fatalf("/metrics of %s has no %s", p.URL, name)
	return 0
}
