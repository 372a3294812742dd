package flink

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/blob"
	"github.com/streamstate/terraform-provider-flink/internal/runtime"
)

// A SQL job runs on Flink, reports Flink's checkpoints, takes CANONICAL and NATIVE savepoints, stops
// with a savepoint, and a new job restored from that savepoint continues the counts.
func TestSQLJobSavepointStopAndRestore(t *testing.T) {
	rt := newRuntime(t)
	store := newStore(t)
	ev := newRecorder()
	tag := "sql" + time.Now().Format("150405.000")
	spec := sqlSpec(t, store, ev, tag)
	flinkID := start(t, rt, spec)
	ev.waitStatus(t, api.JobRunning)

	// The gateway session was closed by Start; the job must outlive it.
	time.Sleep(2 * time.Second)
	if st := rawJobState(t, flinkID); st != "RUNNING" {
		t.Fatalf("Flink job %s is %s after its SQL Gateway session was closed, want RUNNING", flinkID, st)
	}

	cps := ev.waitCheckpoints(t, 2)
	for _, cp := range cps {
		assertCheckpointOnDisk(t, store, spec, cp)
	}

	for _, format := range []string{api.FormatCanonical, "NATIVE"} {
		res, err := rt.Savepoint(context.Background(), spec.JobID, runtime.SavepointTarget{Storage: store, Prefix: "snapshots/" + format, Format: format})
		if err != nil {
			t.Fatalf("%s savepoint: %v", format, err)
		}
		assertSavepoint(t, store, "snapshots/"+format, res)
	}

	before := cluster.stdout(t)
	res, err := rt.Stop(context.Background(), spec.JobID, api.StopWithSavepoint, &runtime.SavepointTarget{Storage: store, Prefix: "snapshots/stop", Format: api.FormatCanonical})
	if err != nil {
		t.Fatalf("stop with savepoint: %v", err)
	}
	if got := ev.lastStatus(); got.Status != api.JobCancelled {
		t.Fatalf("after a stop with savepoint the last status is %+v, want CANCELLED", got)
	}
	assertSavepoint(t, store, "snapshots/stop", *res)
	saved := sqlCounts(cluster.stdout(t), tag)
	if len(saved) != 4 {
		t.Fatalf("before the stop the job printed counts for %d keys, want 4 (stdout had %d bytes)", len(saved), len(before))
	}

	offset := len(cluster.stdout(t))
	ev2 := newRecorder()
	spec2 := sqlSpec(t, store, ev2, tag)
	spec2.Restore = &runtime.RestoreSource{Storage: store, Prefix: res.Prefix}
	start(t, rt, spec2)
	ev2.waitStatus(t, api.JobRunning)
	after := waitOutput(t, offset, func(s string) counts { return sqlCounts(s, tag) }, 1)
	assertContinues(t, saved, after)
}

// assertCheckpointOnDisk checks a reported checkpoint against the files Flink wrote.
func assertCheckpointOnDisk(t testing.TB, store blob.Store, spec runtime.JobSpec, cp runtime.CheckpointInfo) {
	t.Helper()
	if cp.Seq <= 0 || cp.FullSizeBytes <= 0 || cp.SizeBytes <= 0 || cp.CompletedAt.Before(cp.StartedAt) || cp.StartedAt.IsZero() {
		t.Fatalf("checkpoint %+v: want Flink's id, sizes and times", cp)
	}
	want := spec.CheckpointPrefix + "/" + FlinkJobID(spec.JobID) + "/chk-"
	if !strings.HasPrefix(cp.Prefix, want) {
		t.Fatalf("checkpoint %d prefix %q, want it under %q", cp.Seq, cp.Prefix, want)
	}
	if _, err := store.Stat(context.Background(), cp.Prefix+"/"+runtime.MetadataFile); err != nil && !errors.Is(err, blob.ErrNotFound) {
		t.Fatal(err)
	}
}

// assertSavepoint checks a savepoint result against the files Flink wrote.
func assertSavepoint(t testing.TB, store blob.Store, under string, res runtime.SavepointResult) {
	t.Helper()
	if !strings.HasPrefix(res.Prefix, under+"/savepoint-") {
		t.Fatalf("savepoint prefix %q, want a savepoint-* directory under %q", res.Prefix, under)
	}
	if _, err := store.Stat(context.Background(), res.Prefix+"/"+runtime.MetadataFile); err != nil {
		t.Fatalf("savepoint %s: %v", res.Prefix, err)
	}
	var size int64
	if err := store.List(context.Background(), res.Prefix+"/", func(i blob.Info) error { size += i.Size; return nil }); err != nil {
		t.Fatal(err)
	}
	if res.SizeBytes != size || size == 0 || res.Duration <= 0 {
		t.Fatalf("savepoint %s: SizeBytes %d, Duration %v; the files hold %d bytes", res.Prefix, res.SizeBytes, res.Duration, size)
	}
}

// SQL Flink rejects fails Start with Flink's own message (line and column), not a stack trace.
func TestSQLRejectedByFlink(t *testing.T) {
	rt := newRuntime(t)
	store := newStore(t)
	cases := []struct {
		name, sql string
		want      []string
	}{
		{"syntax error", "CREATE TEMPORARY TABLE t (id BIGINT) WITH ('connector' = 'datagen');\nINSERT INTO t SELECT id FROM t WHERE;", []string{"line 1, column", "statement 2 of 2 (line 2 of the SQL)"}},
		{"unknown connector", "CREATE TEMPORARY TABLE src (id BIGINT) WITH ('connector' = 'no-such-connector');\n" +
			"CREATE TEMPORARY TABLE sink (id BIGINT) WITH ('connector' = 'blackhole');\nINSERT INTO sink SELECT id FROM src;", []string{"no-such-connector"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := len(clusterJobs(t, rt))
			spec := sqlSpec(t, store, newRecorder(), "bad")
			spec.Program.SQL = c.sql
			_, err := rt.Start(context.Background(), spec)
			if err == nil {
				t.Fatalf("Start accepted SQL Flink must reject")
			}
			msg := err.Error()
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not contain %q", msg, w)
				}
			}
			if strings.Contains(msg, "\tat ") || strings.Contains(msg, ".java:") {
				t.Errorf("error carries a stack trace: %q", msg)
			}
			if after := len(clusterJobs(t, rt)); after != before {
				t.Errorf("the cluster has %d jobs after a rejected start, %d before", after, before)
			}
		})
	}
	t.Run("two jobs", func(t *testing.T) {
		spec := sqlSpec(t, store, newRecorder(), "two")
		spec.Program.SQL += "\nINSERT INTO sink SELECT 1, 2;"
		if _, err := rt.Start(context.Background(), spec); err == nil || !strings.Contains(err.Error(), "EXECUTE STATEMENT SET") {
			t.Fatalf("two INSERTs: err = %v, want advice to use EXECUTE STATEMENT SET", err)
		}
	})
}

func TestVersionMismatchAndUnavailable(t *testing.T) {
	rt := newRuntime(t)
	store := newStore(t)
	spec := sqlSpec(t, store, newRecorder(), "ver")
	other := "flink-1.19"
	if cluster.majorMinor == "1.19" {
		other = "flink-1.18"
	}
	spec.Program.EngineVersion = other
	_, err := rt.Start(context.Background(), spec)
	if !errors.Is(err, runtime.ErrVersionMismatch) || !strings.Contains(err.Error(), other) || !strings.Contains(err.Error(), cluster.version) {
		t.Fatalf("engine version %s on a %s cluster: err = %v, want ErrVersionMismatch naming both", other, cluster.version, err)
	}

	info, err := rt.Probe(context.Background())
	if err != nil || info.FlinkVersion != cluster.version {
		t.Fatalf("Probe = %+v, %v; want Flink %s", info, err, cluster.version)
	}

	bad, err := New(Options{RESTURL: "http://127.0.0.1:1", SQLGatewayURL: "http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	defer bad.Close()
	if _, err := bad.Probe(context.Background()); !errors.Is(err, runtime.ErrUnavailable) || !strings.Contains(err.Error(), "http://127.0.0.1:1") {
		t.Fatalf("Probe of a closed port: err = %v, want ErrUnavailable naming the URL", err)
	}
	if _, err := bad.Start(context.Background(), sqlSpec(t, store, newRecorder(), "down")); !errors.Is(err, runtime.ErrUnavailable) {
		t.Fatalf("Start against a closed port: err = %v, want ErrUnavailable", err)
	}
	if _, err := New(Options{RESTURL: "localhost:8081"}); err == nil || !strings.Contains(err.Error(), "rest_url") {
		t.Fatalf("New with a URL without scheme: err = %v, want one naming rest_url", err)
	}
}
