package flink

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/blob"
	"github.com/streamstate/terraform-provider-flink/internal/runtime"
)

func TestRootCauseKeepsTheInnermostMessage(t *testing.T) {
	trace := "org.apache.flink.table.gateway.service.utils.SqlExecutionException: Failed to execute the operation abc.\n" +
		"\tat org.apache.flink.table.gateway.service.operation.OperationManager$Operation.processThrowable(OperationManager.java:414)\n" +
		"\tat java.base/java.lang.Thread.run(Thread.java:840)\n" +
		"Caused by: org.apache.flink.table.api.SqlParserException: SQL parse failed. Encountered \"this\" at line 1, column 1.\n" +
		"Was expecting one of:\n    \"ABORT\" ...\n" +
		"\tat org.apache.flink.table.planner.parse.CalciteParser.parseSqlList(CalciteParser.java:81)\n" +
		"\t... 12 more\n"
	got := rootCause(trace)
	want := "SqlParserException: SQL parse failed. Encountered \"this\" at line 1, column 1.\nWas expecting one of:\n    \"ABORT\" ..."
	// The innermost (CalciteException) has no position; the parser's wrapper has it.
	trace += "Caused by: org.apache.calcite.runtime.CalciteException: Non-query expression\n\tat x.y(Z.java:1)\n"
	if got != want {
		t.Fatalf("rootCause = %q, want %q", got, want)
	}
	long := "Caused by: org.apache.calcite.sql.parser.SqlParseException: Encountered \"<EOF>\" at line 1, column 36.\nWas expecting one of:\n" +
		strings.Repeat("    <IDENTIFIER> ...\n", 40) + "\n\t... 13 more\n\nEnd of exception on server side>"
	if got := rootCause(long); got != "SqlParseException: Encountered \"<EOF>\" at line 1, column 36.\nWas expecting one of: <IDENTIFIER> ... <IDENTIFIER> ... <IDENTIFIER> ... <IDENTIFIER> ... <IDENTIFIER> ... ..." {
		t.Fatalf("rootCause(long list) = %q", got)
	}
	if got := rootCause("  plain message  "); got != "plain message" {
		t.Fatalf("rootCause(plain) = %q", got)
	}
	if got := rootCause("java.lang.IllegalStateException: Failed to rollback to checkpoint/savepoint file:/x. Cannot map checkpoint/savepoint state for operator 1 to the new program"); !strings.HasPrefix(got, "IllegalStateException: Failed to rollback") {
		t.Fatalf("rootCause kept the package: %q", got)
	}
}

func TestKeyForNormalisesFlinkPaths(t *testing.T) {
	fs, err := blob.NewFS(t.TempDir() + "/state root")
	if err != nil {
		t.Fatal(err)
	}
	root := fs.Root()
	cases := map[string]string{
		"file:" + root + "/ns/chk/abc/chk-3":          "ns/chk/abc/chk-3",
		"file://" + root + "/ns/chk/abc/chk-3/":       "ns/chk/abc/chk-3",
		fs.Location("ns/sp/savepoint-1a2b3c-0123456"): "ns/sp/savepoint-1a2b3c-0123456",
		root + "/x": "x",
	}
	for loc, want := range cases {
		got, err := keyFor(fs, loc)
		if err != nil || got != want {
			t.Errorf("keyFor(%q) = %q, %v; want %q", loc, got, err, want)
		}
	}
	if _, err := keyFor(fs, "file:/elsewhere/chk-1"); err == nil {
		t.Errorf("a path outside the store gave no error")
	}
}

func TestCheckVersion(t *testing.T) {
	for _, ok := range []struct{ engine, cluster string }{
		{"flink-1.20", "1.20.1"}, {"vvr-11.1-flink-1.20", "1.20.5"}, {"FLINK-2.3", "2.3.0"}, {"", "2.3.0"}, {"1.20", "1.20.0"},
	} {
		if err := checkVersion(ok.engine, ok.cluster); err != nil {
			t.Errorf("checkVersion(%q, %q) = %v", ok.engine, ok.cluster, err)
		}
	}
	for _, bad := range []struct{ engine, cluster string }{
		{"flink-1.19", "1.20.1"}, {"vvr-8.0.9", "1.20.1"}, {"flink-2.3", "1.20.5"},
	} {
		err := checkVersion(bad.engine, bad.cluster)
		if !errors.Is(err, runtime.ErrVersionMismatch) || !strings.Contains(err.Error(), bad.engine) || !strings.Contains(err.Error(), bad.cluster) {
			t.Errorf("checkVersion(%q, %q) = %v, want ErrVersionMismatch naming both", bad.engine, bad.cluster, err)
		}
	}
}

func TestFlinkJobIDIsDerived(t *testing.T) {
	a, b := FlinkJobID("job-1"), FlinkJobID("job-2")
	if len(a) != 32 || !isHexJobID(a) || a == b || a != FlinkJobID("job-1") {
		t.Fatalf("FlinkJobID: %q, %q", a, b)
	}
}

func TestEffectiveConfig(t *testing.T) {
	fs, err := blob.NewFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	spec := runtime.JobSpec{JobID: "j", Storage: fs, CheckpointPrefix: "ns/checkpoints/dep",
		Program: runtime.Program{Type: api.DeploymentSQL, Parallelism: 2},
		Config: map[string]string{"local.records-per-second": "5", "state.backend.incremental": "true",
			"state.checkpoints.dir": "file:///wrong", "table.exec.state.ttl": "36 h", "$internal.pipeline.job-id": "f00"},
		Checkpoint: runtime.CheckpointSettings{Interval: 90 * time.Second, Timeout: 10 * time.Minute, MinPause: time.Second, Retained: 2},
		Restore:    &runtime.RestoreSource{Storage: fs, Prefix: "ns/snap/savepoint-1", AllowNonRestoredState: true},
	}
	got := effectiveConfig(spec, "0123456789abcdef0123456789abcdef")
	want := map[string]string{
		"execution.checkpointing.interval": "90 s", "execution.checkpointing.timeout": "10 min",
		"execution.checkpointing.min-pause": "1 s", "execution.checkpointing.num-retained": "2",
		"execution.checkpointing.dir":                               fs.Location("ns/checkpoints/dep"),
		"execution.checkpointing.externalized-checkpoint-retention": "RETAIN_ON_CANCELLATION",
		"state.backend.incremental":                                 "true", "execution.checkpointing.incremental": "true",
		"table.exec.state.ttl": "36 h", "execution.runtime-mode": "STREAMING", "parallelism.default": "2",
		"execution.state-recovery.path":                   fs.Location("ns/snap/savepoint-1"),
		"execution.state-recovery.claim-mode":             "NO_CLAIM",
		"execution.state-recovery.ignore-unclaimed-state": "true",
		"$internal.pipeline.job-id":                       "0123456789abcdef0123456789abcdef",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected key %s = %q", k, got[k])
		}
	}
}
