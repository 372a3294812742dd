package flinktest_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/flinktest"
)

// cluster is the package's one real Flink cluster (FLINK_VERSION picks the version).
var cluster *flinktest.Cluster

func TestMain(m *testing.M) {
	flinktest.Main(m, flinktest.Options{}, func(c *flinktest.Cluster) { cluster = c })
}

func TestClusterReportsTheRequestedVersion(t *testing.T) {
	want := os.Getenv("FLINK_VERSION")
	if want == "" {
		want = flinktest.DefaultVersion
	}
	if !strings.HasPrefix(cluster.Version, want) {
		t.Fatalf("cluster runs Flink %q, FLINK_VERSION asked for %q", cluster.Version, want)
	}
	var overview struct {
		TaskManagers int `json:"taskmanagers"`
		SlotsTotal   int `json:"slots-total"`
	}
	call(t, http.MethodGet, cluster.RESTURL+"/overview", nil, &overview)
	if overview.TaskManagers != 1 || overview.SlotsTotal != flinktest.TaskSlots {
		t.Fatalf("want 1 TaskManager with %d slots, got %+v", flinktest.TaskSlots, overview)
	}
}

// sqlSession runs statements through the SQL Gateway's REST API, one operation at a time.
type sqlSession struct {
	t      *testing.T
	handle string
}

func openSQLSession(t *testing.T) *sqlSession {
	var out struct {
		SessionHandle string `json:"sessionHandle"`
	}
	call(t, http.MethodPost, cluster.SQLGatewayURL+"/v1/sessions", map[string]any{"sessionName": t.Name()}, &out)
	s := &sqlSession{t: t, handle: out.SessionHandle}
	t.Cleanup(func() { _ = tryCall(http.MethodDelete, cluster.SQLGatewayURL+"/v1/sessions/"+s.handle, nil, nil) })
	return s
}

// exec runs one statement to completion and returns the job id Flink reports ("" for DDL/SET).
func (s *sqlSession) exec(statement string) string {
	t := s.t
	t.Helper()
	var op struct {
		OperationHandle string `json:"operationHandle"`
	}
	call(t, http.MethodPost, cluster.SQLGatewayURL+"/v1/sessions/"+s.handle+"/statements", map[string]any{"statement": statement}, &op)
	base := cluster.SQLGatewayURL + "/v1/sessions/" + s.handle + "/operations/" + op.OperationHandle
	eventually(t, 2*time.Minute, "statement "+statement, func() error {
		var status struct {
			Status string `json:"status"`
		}
		call(t, http.MethodGet, base+"/status", nil, &status)
		switch status.Status {
		case "FINISHED", "ERROR":
			return nil
		}
		return fmt.Errorf("status %s", status.Status)
	})
	var result struct {
		ResultType string `json:"resultType"`
		JobID      string `json:"jobID"`
		Results    struct {
			Data []struct {
				Fields []any `json:"fields"`
			} `json:"data"`
		} `json:"results"`
	}
	// An operation in ERROR answers its result fetch with HTTP 500 and Flink's message.
	call(t, http.MethodGet, base+"/result/0?rowFormat=JSON", nil, &result)
	if result.JobID != "" && (len(result.Results.Data) != 1 || result.Results.Data[0].Fields[0] != result.JobID) {
		t.Fatalf("INSERT reported job %s but its result rows are %+v", result.JobID, result.Results.Data)
	}
	return result.JobID
}

// printedCounts parses the print sink's "<id>> +U[key, count]" lines into each key's counts, in order.
func printedCounts(t *testing.T, identifier string) map[int64][]int64 {
	out, err := cluster.TaskManagerStdout()
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(identifier) + `> \+[IU]\[(\d+), (\d+)\]$`)
	counts := map[int64][]int64{}
	for _, m := range re.FindAllStringSubmatch(out, -1) {
		k, _ := strconv.ParseInt(m[1], 10, 64)
		c, _ := strconv.ParseInt(m[2], 10, 64)
		counts[k] = append(counts[k], c)
	}
	return counts
}

func startCountingSQLJob(t *testing.T, s *sqlSession, identifier, restorePath string) string {
	s.exec("SET 'pipeline.name' = '" + identifier + "'")
	// The sequence source keeps its ~8 MB of pending numbers in state: more than the JobManager's
	// in-memory checkpoint storage takes, so state goes to files as it will for real deployments.
	s.exec("SET 'execution.checkpointing.dir' = 'file://" + t.TempDir() + "'")
	if restorePath != "" {
		s.exec("SET 'execution.state-recovery.path' = '" + restorePath + "'")
	}
	s.exec(`CREATE TEMPORARY TABLE src (seq BIGINT) WITH ('connector'='datagen', 'fields.seq.kind'='sequence',
		'fields.seq.start'='1', 'fields.seq.end'='1000000', 'rows-per-second'='20')`)
	s.exec(`CREATE TEMPORARY TABLE print_sink (k BIGINT, c BIGINT) WITH ('connector'='print', 'print-identifier'='` + identifier + `')`)
	started := time.Now()
	jobID := s.exec("INSERT INTO print_sink SELECT seq % 4, COUNT(*) FROM src GROUP BY seq % 4")
	t.Logf("%s: INSERT submitted job %s in %s", identifier, jobID, time.Since(started).Round(time.Millisecond))
	if len(jobID) != 32 {
		t.Fatalf("INSERT returned job id %q, want 32 hex digits", jobID)
	}
	waitJobState(t, jobID, "RUNNING", time.Minute)
	t.Logf("%s: job RUNNING %s after the INSERT", identifier, time.Since(started).Round(time.Millisecond))
	return jobID
}

// TestSQLJobSavepointAndRestore runs a GROUP BY count through the SQL Gateway, takes a savepoint
// through REST, and restores it: the counts continue instead of starting over.
func TestSQLJobSavepointAndRestore(t *testing.T) {
	first := startCountingSQLJob(t, openSQLSession(t), "sqlrun1", "")
	eventually(t, time.Minute, "every key counted to 5", func() error {
		counts := printedCounts(t, "sqlrun1")
		for k := int64(0); k < 4; k++ {
			if n := len(counts[k]); n < 5 {
				return fmt.Errorf("key %d printed %d counts", k, n)
			}
		}
		return nil
	})
	before := printedCounts(t, "sqlrun1")
	for k, cs := range before {
		for i, c := range cs {
			if c != int64(i+1) {
				t.Fatalf("key %d: count #%d is %d, want %d (a real count goes 1, 2, 3...): %v", k, i+1, c, i+1, cs)
			}
		}
	}

	dir := t.TempDir()
	started := time.Now()
	location := savepoint(t, first, "file://"+dir, false)
	t.Logf("savepoint %s in %s", location, time.Since(started).Round(time.Millisecond))
	metadata := filepath.Join(strings.TrimPrefix(location, "file:"), "_metadata")
	if st, err := os.Stat(metadata); err != nil || st.Size() == 0 {
		t.Fatalf("savepoint at %s has no _metadata: %v", location, err)
	}
	call(t, http.MethodPatch, cluster.RESTURL+"/jobs/"+first+"?mode=cancel", nil, nil)
	waitJobState(t, first, "CANCELED", time.Minute)
	atCancel := printedCounts(t, "sqlrun1")

	second := startCountingSQLJob(t, openSQLSession(t), "sqlrun2", strings.TrimPrefix(location, "file:"))
	defer call(t, http.MethodPatch, cluster.RESTURL+"/jobs/"+second+"?mode=cancel", nil, nil)
	eventually(t, time.Minute, "restored job prints every key", func() error {
		if n := len(printedCounts(t, "sqlrun2")); n < 4 {
			return fmt.Errorf("%d keys printed", n)
		}
		return nil
	})
	for k, cs := range printedCounts(t, "sqlrun2") {
		low := before[k][len(before[k])-1]      // counted before the savepoint was triggered
		high := atCancel[k][len(atCancel[k])-1] // counted before the job was cancelled
		if cs[0] <= low || cs[0] > high+1 {
			t.Fatalf("key %d: restored job starts at count %d, want (%d, %d]: state not restored", k, cs[0], low, high+1)
		}
	}
}

// testjobLine is one record of the test jar's output.
type testjobLine struct{ key, count, seq int64 }

var testjobRE = regexp.MustCompile(`(?m)^testjob key=(\d+) count=(\d+) seq=(\d+)$`)

func testjobLines(s string) []testjobLine {
	var out []testjobLine
	for _, m := range testjobRE.FindAllStringSubmatch(s, -1) {
		k, _ := strconv.ParseInt(m[1], 10, 64)
		c, _ := strconv.ParseInt(m[2], 10, 64)
		q, _ := strconv.ParseInt(m[3], 10, 64)
		out = append(out, testjobLine{k, c, q})
	}
	return out
}

// stdoutSince returns the TaskManager's output after offset and the new offset.
func stdoutSince(t *testing.T, offset int) (string, int) {
	out, err := cluster.TaskManagerStdout()
	if err != nil {
		t.Fatal(err)
	}
	return out[offset:], len(out)
}

// runJar starts the uploaded test jar and returns the job id; a refused run returns the error.
func runJar(jarID string, body map[string]any) (string, error) {
	var out struct {
		JobID string `json:"jobid"`
	}
	err := tryCall(http.MethodPost, cluster.RESTURL+"/jars/"+jarID+"/run", body, &out)
	return out.JobID, err
}

// waitLines waits for n testjob lines after offset.
func waitLines(t *testing.T, offset, n int) []testjobLine {
	var lines []testjobLine
	eventually(t, time.Minute, fmt.Sprintf("%d testjob lines", n), func() error {
		out, _ := stdoutSince(t, offset)
		if lines = testjobLines(out); len(lines) < n {
			return fmt.Errorf("%d lines", len(lines))
		}
		return nil
	})
	return lines
}

// TestJarJobRestoresItsState uploads the test jar, runs it, stops it with a savepoint and runs it
// again from there: the sequence continues where it stopped and every count still equals the
// number of records of its key. A changed uid is refused without allowNonRestoredState and starts
// the counts over with it.
func TestJarJobRestoresItsState(t *testing.T) {
	jar, err := flinktest.TestJar(context.Background(), cluster.Version)
	if err != nil {
		t.Fatal(err)
	}
	jarID := uploadJar(t, jar)
	args := []string{"--rate", "40", "--checkpoint-interval", "1000"}

	_, offset := stdoutSince(t, 0)
	first, err := runJar(jarID, map[string]any{"entryClass": flinktest.TestJarEntryClass, "programArgsList": args, "parallelism": 1})
	if err != nil {
		t.Fatal(err)
	}
	waitJobState(t, first, "RUNNING", time.Minute)
	waitLines(t, offset, 20)
	location := savepoint(t, first, "file://"+t.TempDir(), true)
	waitJobState(t, first, "FINISHED", time.Minute)
	out, offset := stdoutSince(t, offset)
	run1 := testjobLines(out)
	checkCounts(t, run1)
	if run1[0].seq != 0 {
		t.Fatalf("a fresh job starts at seq 0, got %+v", run1[0])
	}

	second, err := runJar(jarID, map[string]any{"entryClass": flinktest.TestJarEntryClass, "programArgsList": args,
		"savepointPath": location, "allowNonRestoredState": false})
	if err != nil {
		t.Fatal(err)
	}
	run2 := waitLines(t, offset, 8)
	checkCounts(t, run2)
	if last := run1[len(run1)-1].seq; run2[0].seq != last+1 {
		t.Fatalf("restored job starts at seq %d, want %d (one after the last before the stop)", run2[0].seq, last+1)
	}
	call(t, http.MethodPatch, cluster.RESTURL+"/jobs/"+second+"?mode=cancel", nil, nil)
	waitJobState(t, second, "CANCELED", time.Minute)

	incompatible := append(append([]string{}, args...), "--uid-suffix", "v2")
	if _, err := runJar(jarID, map[string]any{"entryClass": flinktest.TestJarEntryClass, "programArgsList": incompatible,
		"savepointPath": location, "allowNonRestoredState": false}); err == nil || !strings.Contains(err.Error(), "allowNonRestoredState") {
		t.Fatalf("restoring a savepoint into a changed uid: want a refusal naming allowNonRestoredState, got %v", err)
	}
	_, offset = stdoutSince(t, 0)
	third, err := runJar(jarID, map[string]any{"entryClass": flinktest.TestJarEntryClass, "programArgsList": incompatible,
		"savepointPath": location, "allowNonRestoredState": true})
	if err != nil {
		t.Fatal(err)
	}
	defer call(t, http.MethodPatch, cluster.RESTURL+"/jobs/"+third+"?mode=cancel", nil, nil)
	run3 := waitLines(t, offset, 4)
	if run3[0].seq != run2[0].seq || run3[0].count != 1 {
		t.Fatalf("with the counter's state dropped the source resumes at seq %d and counts from 1, got %+v", run2[0].seq, run3[0])
	}
}

// checkCounts asserts the job's invariant: key = seq % 4 and count = seq / 4 + 1, which holds
// only when the counts and the source position come from the same consistent state.
func checkCounts(t *testing.T, lines []testjobLine) {
	t.Helper()
	for i, l := range lines {
		if l.key != l.seq%4 || l.count != l.seq/4+1 {
			t.Fatalf("line %d %+v breaks key = seq %% 4, count = seq / 4 + 1", i, l)
		}
		if i > 0 && l.seq != lines[i-1].seq+1 {
			t.Fatalf("line %d: seq %d follows %d", i, l.seq, lines[i-1].seq)
		}
	}
}
