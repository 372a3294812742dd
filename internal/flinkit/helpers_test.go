package flinkit_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/enginetest"
	"github.com/streamstate/terraform-provider-flink/internal/flinktest"
)

// cluster is the package's Flink session cluster (FLINK_VERSION picks the version).
var cluster *flinktest.Cluster

func TestMain(m *testing.M) {
	flinktest.Main(m, flinktest.Options{}, func(c *flinktest.Cluster) { cluster = c })
}

// waitLong bounds waits on Flink: a job start plans SQL and deploys tasks; a savepoint writes files.
const waitLong = 90 * time.Second

// flinkEnv is an engine whose workspace runs jobs on the package's cluster.
type flinkEnv struct {
	*enginetest.Env
	c  *enginetest.Client
	ws api.Workspace
}

func newFlinkEnv(t testing.TB) *flinkEnv {
	t.Helper()
	env := enginetest.Start(t, enginetest.Options{DataDir: flinkDataDir(t)})
	fe := &flinkEnv{Env: env, c: env.Admin()}
	fe.ws = flinkWorkspace(t, fe.c, "flink-ws")
	// The engine leaves Flink jobs running when it stops (as a real one would): cancel this test's jobs
	// on the cluster, or they keep the shared TaskManager's slots from the tests that follow.
	t.Cleanup(func() { cancelJobsOf(t, fe.c, fe.ws.ID) })
	return fe
}

// flinkDataDir is a data directory for an engine whose jobs run on the cluster. The cluster writes into
// its storage, and a job being cancelled as the test ends may still add or discard checkpoint files
// while the test's temporary directory is removed ("directory not empty"): once the engine has
// stopped, the storage is removed here first, again while the cluster still changes it.
func flinkDataDir(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	t.Cleanup(func() {
		storage := filepath.Join(dir, "storage")
		err := os.RemoveAll(storage)
		for deadline := time.Now().Add(30 * time.Second); err != nil && time.Now().Before(deadline); err = os.RemoveAll(storage) {
			time.Sleep(100 * time.Millisecond)
		}
		if err != nil {
			t.Errorf("remove the cluster's files: %v", err)
		}
	})
	return dir
}

// cancelJobsOf cancels, through Flink's REST API, the running Flink jobs of a workspace's deployments,
// and waits (up to a minute) until the cluster lists them ended.
func cancelJobsOf(t testing.TB, c *enginetest.Client, wsID string) {
	var nss api.Page[api.Namespace]
	if status, _ := c.Do(t, "GET", "/workspaces/"+wsID+"/namespaces", nil, &nss); status != http.StatusOK {
		return
	}
	running := clusterJobs(t)
	var cancelled []string
	for _, ns := range nss.Items {
		var deps api.Page[api.Object]
		c.Do(t, "GET", "/namespaces/"+ns.ID+"/objects/"+api.KindDeployment, nil, &deps)
		for _, d := range deps.Items {
			var job api.Job
			if status, _ := c.Do(t, "GET", "/deployments/"+d.ID+"/job", nil, &job); status != http.StatusOK || job.FlinkJobID == "" {
				continue
			}
			if state := running[job.FlinkJobID]; state == "RUNNING" || state == "RESTARTING" || state == "CREATED" || state == "INITIALIZING" {
				req, _ := http.NewRequest(http.MethodPatch, cluster.RESTURL+"/jobs/"+job.FlinkJobID+"?mode=cancel", nil)
				if resp, err := http.DefaultClient.Do(req); err == nil {
					resp.Body.Close()
					cancelled = append(cancelled, job.FlinkJobID)
				}
			}
		}
	}
	for deadline := time.Now().Add(time.Minute); len(cancelled) > 0 && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		jobs := clusterJobs(t)
		cancelled = slices.DeleteFunc(cancelled, func(id string) bool {
			state := jobs[id]
			return state == "" || state == "CANCELED" || state == "FAILED" || state == "FINISHED"
		})
	}
}

func flinkWorkspace(t testing.TB, c *enginetest.Client, name string) api.Workspace {
	t.Helper()
	var ws api.Workspace
	c.Must(t, "POST", "/workspaces", api.WorkspaceInput{Name: name, Region: "r1", Architecture: api.ArchX86,
		Storage: api.Storage{Type: api.StorageManaged}, CloneEnabled: true,
		Runtime: api.Runtime{Type: api.RuntimeFlink, RESTURL: cluster.RESTURL, SQLGatewayURL: cluster.SQLGatewayURL}}, &ws)
	if ws.Runtime.FlinkVersion != cluster.Version {
		t.Fatalf("workspace records Flink %q, the cluster runs %q", ws.Runtime.FlinkVersion, cluster.Version)
	}
	return ws
}

// engineVersion is the deployment engine version matching the cluster ("flink-1.20").
func engineVersion() string {
	parts := strings.SplitN(cluster.Version, ".", 3)
	return "flink-" + parts[0] + "." + parts[1]
}

// countingSQL counts a datagen sequence per key (seq % 4) into a print sink whose lines carry tag, so
// the TaskManager's stdout tells which deployment printed what.
func countingSQL(tag string) string {
	return fmt.Sprintf(`-- a sequence, counted per key; the counts are the job's keyed state
CREATE TEMPORARY TABLE src (seq BIGINT) WITH (
  'connector' = 'datagen', 'fields.seq.kind' = 'sequence',
  'fields.seq.start' = '1', 'fields.seq.end' = '100000', 'rows-per-second' = '20');
CREATE TEMPORARY TABLE counted (k BIGINT, c BIGINT) WITH ('connector' = 'print', 'print-identifier' = '%s');
INSERT INTO counted SELECT seq %% 4, COUNT(*) FROM src GROUP BY seq %% 4;`, tag)
}

func sqlDeployment(sql string) api.DeploymentSpec {
	return api.DeploymentSpec{Type: api.DeploymentSQL, EngineVersion: engineVersion(), SQL: sql,
		Checkpoint: api.CheckpointSettings{Interval: api.DurationOf(time.Second), Retained: 2}}
}

var printLine = regexp.MustCompile(`^(\S+?)(?::\d+)?> \+[IU]\[(-?\d+), (\d+)\]$`)

// counts reads the print sink's lines of tag from the TaskManager's stdout, from byte offset on: per
// key, the first and the last count printed.
func counts(t testing.TB, tag string, offset int) (first, last map[int64]int64, end int) {
	t.Helper()
	out, err := cluster.TaskManagerStdout()
	if err != nil {
		t.Fatal(err)
	}
	first, last = map[int64]int64{}, map[int64]int64{}
	if offset > len(out) {
		offset = len(out) // a new TaskManager starts a new file
	}
	sc := bufio.NewScanner(strings.NewReader(out[offset:]))
	for sc.Scan() {
		m := printLine.FindStringSubmatch(strings.TrimSpace(sc.Text()))
		if m == nil || m[1] != tag {
			continue
		}
		k, _ := strconv.ParseInt(m[2], 10, 64)
		c, _ := strconv.ParseInt(m[3], 10, 64)
		if _, ok := first[k]; !ok {
			first[k] = c
		}
		last[k] = c
	}
	return first, last, len(out)
}

// stdoutLen is where the TaskManager's stdout ends now.
func stdoutLen(t testing.TB) int {
	t.Helper()
	out, err := cluster.TaskManagerStdout()
	if err != nil {
		t.Fatal(err)
	}
	return len(out)
}

// waitCounts waits until every key of tag has printed a count of at least min since offset.
func waitCounts(t testing.TB, tag string, offset int, min int64) map[int64]int64 {
	t.Helper()
	var last map[int64]int64
	enginetest.Eventually(t, waitLong, fmt.Sprintf("%s to print counts of at least %d for 4 keys", tag, min), func() bool {
		_, last, _ = counts(t, tag, offset)
		if len(last) < 4 {
			return false
		}
		for _, c := range last {
			if c < min {
				return false
			}
		}
		return true
	})
	return last
}

// assertContinues checks that a restored job's first counts per key continue from the state it was
// restored from (at least floor[k]) instead of starting over at 1.
func assertContinues(t testing.TB, tag string, offset int, floor map[int64]int64) {
	t.Helper()
	var first map[int64]int64
	enginetest.Eventually(t, waitLong, tag+" to print after the restore", func() bool {
		first, _, _ = counts(t, tag, offset)
		return len(first) == len(floor)
	})
	for k, f := range floor {
		if first[k] <= f {
			t.Fatalf("key %d: the restored job printed count %d first; the state it restored had counted at least %d (all firsts %v, floor %v): the state was not restored", k, first[k], f, first, floor)
		}
	}
}

func startJob(t testing.TB, c *enginetest.Client, depID string, req api.StartRequest) api.Job {
	t.Helper()
	var job api.Job
	c.Must(t, "POST", "/deployments/"+depID+"/start", req, &job)
	return waitJob(t, c, depID, api.JobRunning)
}

func waitJob(t testing.TB, c *enginetest.Client, depID, status string) api.Job {
	t.Helper()
	var job api.Job
	enginetest.Eventually(t, waitLong, "job of "+depID+" to be "+status, func() bool {
		c.Must(t, "GET", "/deployments/"+depID+"/job", nil, &job)
		if job.Status == api.JobFailed && status != api.JobFailed {
			t.Fatalf("job of %s FAILED while waiting for %s: %s", depID, status, job.Failure)
		}
		return job.Status == status
	})
	return job
}

func stopJob(t testing.TB, c *enginetest.Client, depID, strategy string) api.Job {
	t.Helper()
	c.Must(t, "POST", "/deployments/"+depID+"/stop", api.StopRequest{Strategy: strategy}, nil)
	want := api.JobCancelled
	if strategy == api.StopWithDrain {
		want = api.JobFinished
	}
	return waitJob(t, c, depID, want)
}

func snapshot(t testing.TB, c *enginetest.Client, depID, format string) api.Snapshot {
	t.Helper()
	var s api.Snapshot
	c.Must(t, "POST", "/deployments/"+depID+"/snapshots", api.SnapshotRequest{Format: format, Description: "test"}, &s)
	enginetest.Eventually(t, waitLong, "snapshot "+s.ID+" to complete", func() bool {
		c.Must(t, "GET", "/snapshots/"+s.ID, nil, &s)
		if s.Status == api.SnapshotFailed {
			t.Fatalf("snapshot %s FAILED: %s", s.ID, s.Failure)
		}
		return s.Status == api.SnapshotCompleted
	})
	return s
}

func checkpoints(t testing.TB, c *enginetest.Client, depID string, n int) []api.Checkpoint {
	t.Helper()
	var done []api.Checkpoint
	enginetest.Eventually(t, waitLong, fmt.Sprintf("%d completed checkpoints of %s", n, depID), func() bool {
		var page api.Page[api.Checkpoint]
		c.Must(t, "GET", "/deployments/"+depID+"/checkpoints", nil, &page)
		done = done[:0]
		for _, cp := range page.Items {
			if cp.Status == api.CheckpointCompleted {
				done = append(done, cp)
			}
		}
		return len(done) >= n
	})
	return done
}

// clusterJobs lists the cluster's jobs (id → state) through Flink's own REST API.
func clusterJobs(t testing.TB) map[string]string {
	t.Helper()
	resp, err := http.Get(cluster.RESTURL + "/jobs/overview")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var overview struct {
		Jobs []struct {
			JID   string `json:"jid"`
			State string `json:"state"`
		} `json:"jobs"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&overview); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, j := range overview.Jobs {
		out[j.JID] = j.State
	}
	return out
}
