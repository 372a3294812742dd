package runtime

import (
	"strings"
	"testing"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
)

func TestParseConfigDefaultsAndForms(t *testing.T) {
	c, err := ParseConfig(nil)
	if err != nil {
		t.Fatal(err)
	}
	want := LocalConfig{RecordsPerSecond: 1000, StateBytes: 1 << 20, ChunkBytes: 4 << 20}
	if c != want {
		t.Fatalf("defaults = %+v, want %+v", c, want)
	}
	c, err = ParseConfig(map[string]string{
		"local.records-per-second": "250", "local.state-bytes": "256 mb", "local.chunk-bytes": "64 kb",
		"local.checkpoint-failure": "true", "local.savepoint-failure": "false", "local.operator-layout": "v2",
		"state.backend.incremental": "TRUE", "table.exec.state.ttl": "129600000", "local.savepoint-delay": "10m",
		"parallelism.default": "4", // not ours: passed through
	})
	if err != nil {
		t.Fatal(err)
	}
	want = LocalConfig{RecordsPerSecond: 250, StateBytes: 256 << 20, ChunkBytes: 64 << 10, CheckpointFailure: true,
		OperatorLayout: "v2", Incremental: true, StateTTL: 36 * time.Hour, SavepointDelay: 10 * time.Minute}
	if c != want {
		t.Fatalf("parsed = %+v, want %+v", c, want)
	}
	for in, ttl := range map[string]time.Duration{"36h": 36 * time.Hour, "0": 0, "1500": 1500 * time.Millisecond, "90m": 90 * time.Minute,
		"1 d": 24 * time.Hour, "36 h": 36 * time.Hour, "1 min": time.Minute, "129600000 ms": 36 * time.Hour} {
		c, err := ParseConfig(map[string]string{"table.exec.state.ttl": in})
		if err != nil || c.StateTTL != ttl {
			t.Errorf("table.exec.state.ttl %q = %v, %v; want %v", in, c.StateTTL, err, ttl)
		}
	}
	for in, size := range map[string]int64{"1048576": 1 << 20, "64mb": 64 << 20, "1g": 1 << 30, "0": 0, "10 B": 10} {
		c, err := ParseConfig(map[string]string{"local.state-bytes": in})
		if err != nil || c.StateBytes != size {
			t.Errorf("local.state-bytes %q = %d, %v; want %d", in, c.StateBytes, err, size)
		}
	}
}

func TestValidateConfigNamesKeyAndForm(t *testing.T) {
	cases := []struct{ key, value, form string }{
		{"local.records-per-second", "fast", "whole number"},
		{"local.records-per-second", "-1", "whole number"},
		{"local.state-bytes", "64 parsecs", "like 1048576"},
		{"local.state-bytes", "-5", "like 1048576"},
		{"local.chunk-bytes", "0", "at least 1"},
		{"local.checkpoint-failure", "sometimes", "true or false"},
		{"local.savepoint-failure", "yes please", "true or false"},
		{"local.savepoint-delay", "a while", "like \"30s\""},
		{"local.savepoint-delay", "2h", "from 0s to 1h0m0s"},
		{"state.backend.incremental", "maybe", "true or false"},
		{"table.exec.state.ttl", "a while", "36 h"},
		{"table.exec.state.ttl", "-1h", "36 h"},
	}
	for _, c := range cases {
		err := ValidateConfig(map[string]string{c.key: c.value})
		if err == nil || !strings.Contains(err.Error(), c.key) || !strings.Contains(err.Error(), c.form) {
			t.Errorf("%s = %q: err = %v, want one naming the key and %q", c.key, c.value, err, c.form)
		}
	}
	err := ValidateConfig(map[string]string{"local.state-bytes": "1tb", "local.chunk-bytes": "1kb"})
	if err == nil || !strings.Contains(err.Error(), "raise local.chunk-bytes") {
		t.Errorf("a billion chunk files: err = %v, want advice to raise local.chunk-bytes", err)
	}
}

func TestDefaultCheckpointSettings(t *testing.T) {
	got := DefaultCheckpointSettings(api.CheckpointSettings{})
	want := CheckpointSettings{Interval: 3 * time.Minute, Timeout: 10 * time.Minute, MinPause: 0, Retained: 1}
	if got != want {
		t.Fatalf("defaults = %+v, want %+v", got, want)
	}
	in := api.CheckpointSettings{Interval: api.DurationOf(time.Minute), Timeout: api.DurationOf(time.Hour), MinPause: api.DurationOf(time.Second), Retained: 5}
	if got := DefaultCheckpointSettings(in); got != (CheckpointSettings{time.Minute, time.Hour, time.Second, 5}) {
		t.Fatalf("explicit settings changed: %+v", got)
	}
}

func TestFingerprintFollowsCodeAndLayoutOnly(t *testing.T) {
	base := api.DeploymentSpec{Type: "SQL", SQL: "INSERT INTO sink\nSELECT id, COUNT(*) FROM src GROUP BY id"}
	fp := Fingerprint(base)

	same := base
	same.SQL = "  INSERT INTO sink SELECT id,   COUNT(*)\tFROM src\n GROUP BY id "
	same.FlinkConfiguration = map[string]string{"parallelism.default": "8", "state.backend.incremental": "true"}
	same.Checkpoint = api.CheckpointSettings{Interval: api.DurationOf(time.Minute), Retained: 3}
	same.EngineVersion = "vvr-8.0.9"
	if got := Fingerprint(same); got != fp {
		t.Fatalf("whitespace, config and checkpoint changes moved the fingerprint: %s != %s", got, fp)
	}
	changed := base
	changed.SQL = "INSERT INTO sink SELECT id, SUM(v) FROM src GROUP BY id"
	layout := base
	layout.FlinkConfiguration = map[string]string{"local.operator-layout": "split-aggregate"}
	jar := api.DeploymentSpec{Type: "JAR", Jar: &api.JarSpec{URI: "s3://b/job.jar", EntryClass: "com.example.Job"}}
	jar2 := api.DeploymentSpec{Type: "JAR", Jar: &api.JarSpec{URI: "s3://b/job.jar", EntryClass: "com.example.Other"}}
	seen := map[string]string{fp: "base"}
	for name, s := range map[string]api.DeploymentSpec{"sql": changed, "layout": layout, "jar": jar, "entry class": jar2} {
		got := Fingerprint(s)
		if prev, dup := seen[got]; dup {
			t.Fatalf("changing the %s gives the same fingerprint as %s", name, prev)
		}
		seen[got] = name
	}
	jarArgs := jar
	jarArgs.Jar = &api.JarSpec{URI: jar.Jar.URI, EntryClass: jar.Jar.EntryClass, Args: []string{"--x"}}
	if Fingerprint(jarArgs) != Fingerprint(jar) {
		t.Fatal("program arguments moved the fingerprint")
	}
}
