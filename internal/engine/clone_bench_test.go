package engine_test

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/enginetest"
)

// BenchmarkStatefulClone clones 200 deployments with 5 MB of state each on local storage and compares
// the time with `cp -r` of the same state files on the same disk (ratio: target <= 0.25, issue #14).
// Run with -benchtime=1x: the setup runs 200 jobs.
func BenchmarkStatefulClone(b *testing.B) {
	const deployments = 200
	env := enginetest.Start(b, enginetest.Options{})
	a := env.Admin()
	ws := a.Workspace(b, "ws")
	src := a.Namespace(b, ws.ID, "src")
	statefulSource(b, a, src.ID, deployments)
	var cloneTime, copyTime time.Duration
	for i := 0; b.Loop(); i++ {
		dst := a.Namespace(b, ws.ID, fmt.Sprintf("dst-%d", i))
		flushDirtyPages(b) // neither side pays for the other's (or the setup's) writeback
		started := time.Now()
		var c api.Clone
		a.Must(b, "POST", "/clones", api.CloneRequest{SourceNamespaceID: src.ID, TargetNamespaceID: dst.ID,
			Objects: []string{api.KindDeployment}, StatePolicy: api.StateStateful}, &c)
		for !cloneEnded(c.Status) {
			time.Sleep(20 * time.Millisecond)
			a.Must(b, "GET", "/clones/"+c.ID, nil, &c)
		}
		cloneTime += time.Since(started)
		if c.Status != api.CloneSucceeded || c.Progress.Counts[api.KindDeployment].Done != deployments {
			b.Fatalf("clone = %s (%s)", c.Status, c.Failure)
		}

		from := filepath.Join(env.DataDir, "storage", "namespaces", src.ID, "checkpoints")
		to := filepath.Join(b.TempDir(), "copy")
		flushDirtyPages(b)
		started = time.Now()
		if out, err := exec.Command("cp", "-r", from, to).CombinedOutput(); err != nil {
			b.Fatalf("cp -r: %v: %s", err, out)
		}
		copyTime += time.Since(started)
	}
	b.ReportMetric(cloneTime.Seconds()/float64(b.N), "clone-s")
	b.ReportMetric(copyTime.Seconds()/float64(b.N), "cp-s")
	b.ReportMetric(cloneTime.Seconds()/copyTime.Seconds(), "clone/cp")
}

// flushDirtyPages runs sync(1), so a timed side starts without dirty pages queued for writeback: the 1 GB
// the setup wrote would otherwise slow whichever side runs first by seconds.
func flushDirtyPages(b *testing.B) {
	b.Helper()
	if out, err := exec.Command("sync").CombinedOutput(); err != nil {
		b.Fatalf("sync: %v: %s", err, out)
	}
}

// statefulSource fills a namespace with n stopped deployments holding one 5 MB checkpoint each.
func statefulSource(b *testing.B, a *enginetest.Client, nsID string, n int) {
	const parallelJobs = 20
	for start := 0; start < n; start += parallelJobs {
		var deps []api.Object
		for i := start; i < min(start+parallelJobs, n); i++ {
			spec := enginetest.SQLDeployment("INSERT INTO sink SELECT * FROM src")
			spec.FlinkConfiguration["local.state-bytes"] = "5mb"
			dep := a.Deployment(b, nsID, fmt.Sprintf("job-%03d", i), spec)
			a.StartRunning(b, dep.ID, api.StartRequest{})
			deps = append(deps, dep)
		}
		for _, dep := range deps {
			a.WaitCheckpoints(b, dep.ID, 1)
			a.Must(b, "POST", "/deployments/"+dep.ID+"/stop", api.StopRequest{}, nil)
			a.WaitJob(b, dep.ID, api.JobCancelled)
		}
	}
}

// timedClone starts a clone and polls it to its end, returning how long it took.
func timedClone(b *testing.B, a *enginetest.Client, req api.CloneRequest) (api.Clone, time.Duration) {
	started := time.Now()
	var c api.Clone
	a.Must(b, "POST", "/clones", req, &c)
	for !cloneEnded(c.Status) {
		time.Sleep(20 * time.Millisecond)
		a.Must(b, "GET", "/clones/"+c.ID, nil, &c)
	}
	return c, time.Since(started)
}

// BenchmarkStatelessClone clones 10,000 objects and compares the time with creating them one by one
// through the API (ratio: target <= 0.1).
func BenchmarkStatelessClone(b *testing.B) { benchStatelessClone(b, "") }
