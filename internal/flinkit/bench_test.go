package flinkit_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/enginetest"
)

// benchPoll is how often both sides of a comparison poll for completion.
const benchPoll = 10 * time.Millisecond

// BenchmarkSnapshotThroughEngineVsFlinkREST compares a job snapshot through the engine's API (POST, then
// GET until COMPLETED: the engine triggers the savepoint, polls Flink, sizes the files and records it)
// with Flink's own savepoint through its REST API (trigger, poll), alternating on one running job.
func BenchmarkSnapshotThroughEngineVsFlinkREST(b *testing.B) {
	fe := newFlinkEnv(b)
	c := fe.c
	ns := c.Namespace(b, fe.ws.ID, "ns")
	dep := c.Deployment(b, ns.ID, "counts", sqlDeployment(countingSQL("bench-"+ns.ID)))
	job := startJob(b, c, dep.ID, api.StartRequest{})
	checkpoints(b, c, dep.ID, 1)
	rawDir := b.TempDir()
	var viaEngine, viaREST time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		var s api.Snapshot
		c.Must(b, "POST", "/deployments/"+dep.ID+"/snapshots", api.SnapshotRequest{Format: api.FormatCanonical}, &s)
		for s.Status != api.SnapshotCompleted {
			if s.Status == api.SnapshotFailed {
				b.Fatalf("snapshot failed: %s", s.Failure)
			}
			time.Sleep(benchPoll)
			c.Must(b, "GET", "/snapshots/"+s.ID, nil, &s)
		}
		viaEngine += time.Since(t0)

		t0 = time.Now()
		restSavepoint(b, job.FlinkJobID, "file://"+filepath.Join(rawDir, fmt.Sprint(i)))
		viaREST += time.Since(t0)
	}
	b.StopTimer()
	b.ReportMetric(float64(viaEngine.Milliseconds())/float64(b.N), "engine-ms/op")
	b.ReportMetric(float64(viaREST.Milliseconds())/float64(b.N), "flink-rest-ms/op")
	b.ReportMetric(float64(viaEngine)/float64(viaREST), "engine/rest")
}

// restSavepoint takes a savepoint the way a script would with curl.
func restSavepoint(b testing.TB, flinkJobID, dir string) {
	body := fmt.Sprintf(`{"target-directory": %q, "cancel-job": false, "formatType": "CANONICAL"}`, dir)
	resp, err := http.Post(cluster.RESTURL+"/jobs/"+flinkJobID+"/savepoints", "application/json", strings.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	var trig struct {
		RequestID string `json:"request-id"`
	}
	err = json.NewDecoder(resp.Body).Decode(&trig)
	resp.Body.Close()
	if err != nil || trig.RequestID == "" {
		b.Fatalf("trigger a savepoint: %v (%s)", err, resp.Status)
	}
	for {
		resp, err := http.Get(cluster.RESTURL + "/jobs/" + flinkJobID + "/savepoints/" + trig.RequestID)
		if err != nil {
			b.Fatal(err)
		}
		var st struct {
			Status struct {
				ID string `json:"id"`
			} `json:"status"`
			Operation struct {
				Location string          `json:"location"`
				Failure  json.RawMessage `json:"failure-cause"`
			} `json:"operation"`
		}
		err = json.NewDecoder(resp.Body).Decode(&st)
		resp.Body.Close()
		if err != nil {
			b.Fatal(err)
		}
		if st.Status.ID == "COMPLETED" {
			if st.Operation.Location == "" {
				b.Fatalf("savepoint failed: %s", st.Operation.Failure)
			}
			return
		}
		time.Sleep(benchPoll)
	}
}

// bigStateSQL keeps tens of thousands of keys, so each savepoint holds megabytes.
func bigStateSQL(tag string) string {
	return fmt.Sprintf(`CREATE TEMPORARY TABLE src (k BIGINT, payload STRING) WITH (
  'connector' = 'datagen', 'rows-per-second' = '20000',
  'fields.k.kind' = 'random', 'fields.k.min' = '0', 'fields.k.max' = '30000', 'fields.payload.length' = '64');
CREATE TEMPORARY TABLE sink (k BIGINT, c BIGINT, p STRING) WITH ('connector' = 'blackhole');
-- %s
INSERT INTO sink SELECT k, COUNT(*), MAX(payload) FROM src GROUP BY k;`, tag)
}

// BenchmarkStatefulCloneOf20SavepointsVsCopy clones a namespace of 20 stopped deployments, each with a
// real savepoint of a few megabytes, into another namespace on the same filesystem, and compares it with
// `cp -r` of the same 20 snapshot directories.
func BenchmarkStatefulCloneOf20SavepointsVsCopy(b *testing.B) {
	const deployments = 20
	fe := newFlinkEnv(b)
	c := fe.c
	src := c.Namespace(b, fe.ws.ID, "src")
	seed := c.Deployment(b, src.ID, "seed", sqlDeployment(bigStateSQL("seed")))
	startJob(b, c, seed.ID, api.StartRequest{})
	seen := checkpoints(b, c, seed.ID, 1)[0].Sequence
	enginetest.Eventually(b, waitLong, "a second checkpoint of the seed's state", func() bool {
		return checkpoints(b, c, seed.ID, 1)[0].Sequence > seen
	})
	seedSnap := snapshot(b, c, seed.ID, api.FormatCanonical)
	stopJob(b, c, seed.ID, api.StopNone)

	// 20 deployments, each started from the seed's state, snapshotted and stopped.
	var dirs []string
	for i := 0; i < deployments; i++ {
		dep := c.Deployment(b, src.ID, fmt.Sprintf("job-%02d", i), sqlDeployment(bigStateSQL("seed")))
		startJob(b, c, dep.ID, api.StartRequest{RestoreStrategy: api.RestoreFromSavepoint, SnapshotID: seedSnap.ID})
		s := snapshot(b, c, dep.ID, api.FormatCanonical)
		stopJob(b, c, dep.ID, api.StopNone)
		dirs = append(dirs, filepath.Join(fe.DataDir, "storage", strings.TrimSuffix(s.StatePath, "/")))
	}
	c.Must(b, "DELETE", "/objects/"+seed.ID, nil, nil) // only the 20 are cloned
	var total int64
	for _, d := range dirs {
		total += dirSize(b, d)
	}

	var cloneTime, copyTime time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		dst := c.Namespace(b, fe.ws.ID, fmt.Sprintf("dst-%d", i))
		t0 := time.Now()
		var clone api.Clone
		c.Must(b, "POST", "/clones", api.CloneRequest{SourceNamespaceID: src.ID, TargetNamespaceID: dst.ID,
			Objects: []string{api.KindDeployment}, StatePolicy: api.StateStateful, ErrorPolicy: api.ErrorStop}, &clone)
		for clone.Status == api.CloneRunning || clone.Status == api.ClonePending {
			time.Sleep(benchPoll)
			c.Must(b, "GET", "/clones/"+clone.ID, nil, &clone)
		}
		cloneTime += time.Since(t0)
		if clone.Status != api.CloneSucceeded {
			b.Fatalf("clone ended %s: %s", clone.Status, clone.Failure)
		}

		target := b.TempDir()
		t0 = time.Now()
		for j, d := range dirs {
			if out, err := exec.Command("cp", "-r", d, filepath.Join(target, fmt.Sprint(j))).CombinedOutput(); err != nil {
				b.Fatalf("cp -r: %v: %s", err, out)
			}
		}
		copyTime += time.Since(t0)
	}
	b.StopTimer()
	b.ReportMetric(float64(total)/float64(deployments)/(1<<20), "MiB/savepoint")
	b.ReportMetric(float64(cloneTime.Milliseconds())/float64(b.N), "clone-ms/op")
	b.ReportMetric(float64(copyTime.Milliseconds())/float64(b.N), "cp-ms/op")
	b.ReportMetric(float64(cloneTime)/float64(copyTime), "clone/cp")
}

func dirSize(b testing.TB, dir string) int64 {
	var n int64
	err := filepath.Walk(dir, func(_ string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			n += info.Size()
		}
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return n
}
