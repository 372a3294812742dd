package flinkit_test

import (
	"context"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/enginetest"
	"github.com/streamstate/terraform-provider-flink/internal/flinktest"
)

// A workspace's Flink endpoints are reached when it is written: a dead URL is a 400 naming runtime.
func TestWorkspaceRuntimeIsProbedWhenWritten(t *testing.T) {
	t.Parallel()
	c := enginetest.Start(t, enginetest.Options{}).Admin()
	in := api.WorkspaceInput{Name: "ws", Region: "r1", Architecture: api.ArchX86, Storage: api.Storage{Type: api.StorageManaged},
		Runtime: api.Runtime{Type: api.RuntimeFlink, RESTURL: "http://127.0.0.1:1", SQLGatewayURL: cluster.SQLGatewayURL}}
	p := c.Fails(t, http.StatusBadRequest, api.CodeInvalidArgument, "POST", "/workspaces", in)
	if !strings.Contains(p.Detail, "runtime") || !strings.Contains(p.Detail, "127.0.0.1:1") {
		t.Fatalf("refusal does not name the runtime and the URL: %+v", p)
	}
	in.Runtime.RESTURL = "ftp://x"
	p = c.Fails(t, http.StatusBadRequest, api.CodeInvalidArgument, "POST", "/workspaces", in)
	if !strings.Contains(p.Detail, "rest_url") {
		t.Fatalf("refusal does not name runtime.rest_url: %+v", p)
	}
}

// Flink's refusals reach the caller with Flink's own words and the job ends FAILED.
func TestFlinkRefusalsAreClearErrors(t *testing.T) {
	t.Parallel()
	fe := newFlinkEnv(t)
	c := fe.c
	ns := c.Namespace(t, fe.ws.ID, "ns")
	cases := []struct {
		name, sql, engine string
		want              *regexp.Regexp
	}{
		{"syntax", "CREATE TEMPORARY TABLE sink (a INT) WITH ('connector' = 'blackhole');\nINSERT INTO sink SELECT FROM WHERE;", "",
			regexp.MustCompile(`(?i)line \d+, column \d+`)},
		{"connector", "CREATE TEMPORARY TABLE sink (a INT) WITH ('connector' = 'no-such-connector');\nINSERT INTO sink SELECT 1;", "",
			regexp.MustCompile(`no-such-connector`)},
		{"version", countingSQL("v-" + ns.ID), "flink-1.13", regexp.MustCompile(`1\.13.*` + regexp.QuoteMeta(minorOf(cluster.Version)) + `|` + regexp.QuoteMeta(minorOf(cluster.Version)) + `.*1\.13`)},
	}
	for _, tc := range cases {
		spec := sqlDeployment(tc.sql)
		if tc.engine != "" {
			spec.EngineVersion = tc.engine
		}
		dep := c.Deployment(t, ns.ID, tc.name, spec)
		var job api.Job
		status, p := c.Do(t, "POST", "/deployments/"+dep.ID+"/start", api.StartRequest{}, &job)
		if status < 400 || status >= 500 || !tc.want.MatchString(p.Detail) {
			t.Fatalf("%s: start answered %d %+v, want a 4xx matching %s", tc.name, status, p, tc.want)
		}
		c.Must(t, "GET", "/deployments/"+dep.ID+"/job", nil, &job)
		if job.Status != api.JobFailed || !tc.want.MatchString(job.Failure) {
			t.Fatalf("%s: job %+v, want FAILED with the reason", tc.name, job)
		}
	}
}

func minorOf(version string) string {
	parts := strings.SplitN(version, ".", 3)
	return parts[0] + "." + parts[1]
}

var testjobLine = regexp.MustCompile(`testjob key=(\d+) count=(\d+)`)

// jarCounts reads the test job's lines from offset: the first count printed per key.
func jarCounts(t *testing.T, offset int) map[int64]int64 {
	t.Helper()
	out, err := cluster.TaskManagerStdout()
	if err != nil {
		t.Fatal(err)
	}
	first := map[int64]int64{}
	for _, m := range testjobLine.FindAllStringSubmatch(out[min(offset, len(out)):], -1) {
		k, _ := strconv.ParseInt(m[1], 10, 64)
		c, _ := strconv.ParseInt(m[2], 10, 64)
		if _, ok := first[k]; !ok {
			first[k] = c
		}
	}
	return first
}

// A JAR deployment runs the jar of a file resource; its state restores into the same code, and into
// code whose operator no longer matches only when non-restored state is allowed.
func TestJarDeploymentStateAndIncompatibleRestore(t *testing.T) {
	fe := newFlinkEnv(t)
	c := fe.c
	ns := c.Namespace(t, fe.ws.ID, "ns")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	jarPath, err := flinktest.TestJar(ctx, cluster.Version)
	if err != nil {
		t.Fatal(err)
	}
	jarBytes, err := os.ReadFile(jarPath)
	if err != nil {
		t.Fatal(err)
	}
	file := c.Object(t, ns.ID, api.KindFileResource, "testjob.jar", api.FileResourceSpec{Content: jarBytes})
	jarSpec := func(args ...string) api.DeploymentSpec {
		return api.DeploymentSpec{Type: api.DeploymentJAR, EngineVersion: engineVersion(),
			Jar:        &api.JarSpec{URI: file.ID, EntryClass: flinktest.TestJarEntryClass, Args: append([]string{"--rate", "20"}, args...)},
			Checkpoint: api.CheckpointSettings{Interval: api.DurationOf(time.Second)}}
	}
	a := c.Deployment(t, ns.ID, "a", jarSpec())
	missing := c.Deployment(t, ns.ID, "missing", api.DeploymentSpec{Type: api.DeploymentJAR, EngineVersion: engineVersion(),
		Jar: &api.JarSpec{URI: "file-0000000000000000000", EntryClass: flinktest.TestJarEntryClass}})
	p := c.Fails(t, http.StatusBadRequest, api.CodeInvalidArgument, "POST", "/deployments/"+missing.ID+"/start", api.StartRequest{})
	if !strings.Contains(p.Detail, "jar.uri") {
		t.Fatalf("a missing jar is refused without naming jar.uri: %+v", p)
	}

	offset := stdoutLen(t)
	startJob(t, c, a.ID, api.StartRequest{})
	var before map[int64]int64
	enginetest.Eventually(t, waitLong, "the test job to count", func() bool {
		before = lastJarCounts(t, offset)
		return len(before) == 4 && before[0] >= 3
	})
	snap := snapshot(t, c, a.ID, api.FormatCanonical)
	stopJob(t, c, a.ID, api.StopNone)

	offset = stdoutLen(t)
	startJob(t, c, a.ID, api.StartRequest{RestoreStrategy: api.RestoreFromSavepoint, SnapshotID: snap.ID})
	enginetest.Eventually(t, waitLong, "the restored test job to print", func() bool { return len(jarCounts(t, offset)) == 4 })
	for k, first := range jarCounts(t, offset) {
		if first <= before[k] {
			t.Fatalf("key %d restarted at count %d; the snapshot had counted past %d", k, first, before[k])
		}
	}
	stopJob(t, c, a.ID, api.StopNone)

	v2 := c.Deployment(t, ns.ID, "v2", jarSpec("--uid-suffix", "v2"))
	p = c.Fails(t, http.StatusConflict, api.CodeIncompatibleState, "POST", "/deployments/"+v2.ID+"/start",
		api.StartRequest{RestoreStrategy: api.RestoreFromSavepoint, SnapshotID: snap.ID})
	if !strings.Contains(p.Detail, "allow_non_restored_state") {
		t.Fatalf("the refusal does not name allow_non_restored_state: %+v", p)
	}
	startJob(t, c, v2.ID, api.StartRequest{RestoreStrategy: api.RestoreFromSavepoint, SnapshotID: snap.ID, AllowNonRestoredState: true})
	stopJob(t, c, v2.ID, api.StopNone)
}

func lastJarCounts(t *testing.T, offset int) map[int64]int64 {
	t.Helper()
	out, err := cluster.TaskManagerStdout()
	if err != nil {
		t.Fatal(err)
	}
	last := map[int64]int64{}
	for _, m := range testjobLine.FindAllStringSubmatch(out[min(offset, len(out)):], -1) {
		k, _ := strconv.ParseInt(m[1], 10, 64)
		c, _ := strconv.ParseInt(m[2], 10, 64)
		last[k] = c
	}
	return last
}

// kill -9 of the engine leaves its Flink jobs running; the restarted engine adopts them by Flink job
// id (the cluster still holds exactly one job for the deployment) and keeps recording checkpoints.
func TestEngineKilledAndRestartedAdoptsItsJobs(t *testing.T) {
	dir := flinkDataDir(t)
	proc := enginetest.StartProcess(t, dir)
	c := proc.Client(enginetest.AdminToken)
	ws := flinkWorkspace(t, c, "ws")
	ns := c.Namespace(t, ws.ID, "ns")
	dep := c.Deployment(t, ns.ID, "counts", sqlDeployment(countingSQL("adopt-"+ns.ID)))
	job := startJob(t, c, dep.ID, api.StartRequest{})
	checkpoints(t, c, dep.ID, 1)
	proc.Kill()

	proc = enginetest.StartProcess(t, dir)
	c = proc.Client(enginetest.AdminToken)
	var after api.Job
	c.Must(t, "GET", "/deployments/"+dep.ID+"/job", nil, &after)
	if after.ID != job.ID || after.FlinkJobID != job.FlinkJobID || after.Status != api.JobRunning {
		t.Fatalf("after the restart the job is %+v, want %s still RUNNING as Flink job %s", after, job.ID, job.FlinkJobID)
	}
	running := 0
	for id, state := range clusterJobs(t) {
		if id == job.FlinkJobID && state == "RUNNING" {
			running++
		}
	}
	if running != 1 {
		t.Fatalf("the cluster runs %d jobs with id %s, want exactly 1: %v", running, job.FlinkJobID, clusterJobs(t))
	}
	seen := checkpoints(t, c, dep.ID, 1)[0].Sequence
	enginetest.Eventually(t, waitLong, "a checkpoint recorded after the restart", func() bool {
		return checkpoints(t, c, dep.ID, 1)[0].Sequence > seen
	})
	stopJob(t, c, dep.ID, api.StopNone)
}
