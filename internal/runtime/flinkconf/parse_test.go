package flinkconf

import (
	"strings"
	"testing"
	"time"
)

// The vectors follow Flink's own TimeUtilsTest and MemorySizeTest; every one was checked against
// TimeUtils.parseDuration and MemorySize.parse of flink-core 1.20.3 and 2.3.0 (same answers on both, except
// ISO-8601 forms, which only 2.x reads and this package refuses).
func TestParseDurationAsFlink(t *testing.T) {
	cases := map[string]time.Duration{
		"129600000":       36 * time.Hour, // no unit: milliseconds
		"129600000 ms":    36 * time.Hour,
		"   123   ":       123 * time.Millisecond,
		"123ms":           123 * time.Millisecond,
		"123 milli":       123 * time.Millisecond,
		"123 millis":      123 * time.Millisecond,
		"123 millisecond": 123 * time.Millisecond,
		"123 MS":          123 * time.Millisecond,
		"1 d":             24 * time.Hour,
		"2 days":          48 * time.Hour,
		"36 h":            36 * time.Hour,
		"36 hours":        36 * time.Hour,
		"1 min":           time.Minute,
		"1m":              time.Minute,
		"90 minutes":      90 * time.Minute,
		"90s":             90 * time.Second,
		"90 sec":          90 * time.Second,
		"90 secs":         90 * time.Second,
		"90 SECONDS":      90 * time.Second,
		"123 µs":          123 * time.Microsecond,
		"123 micros":      123 * time.Microsecond,
		"123 ns":          123,
		"123 nanosecond":  123,
		"0":               0,
	}
	for in, want := range cases {
		got, err := ParseDuration(in)
		if err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "   ", "foobar", "-1", "-1 s", "1.5 h", "1h30m", "1 hr", "12 3", "ms", "99999999999999999999", "106752 d", "1 d 2 h", "PT1H", "P1D"} {
		if d, err := ParseDuration(in); err == nil {
			t.Errorf("ParseDuration(%q) = %v, want an error", in, d)
		}
	}
}

func TestParseMemorySizeAsFlink(t *testing.T) {
	cases := map[string]int64{
		"1234": 1234, "1234b": 1234, "1234 bytes": 1234, "  1234  ": 1234,
		"1k": 1 << 10, "1 kb": 1 << 10, "1 KB": 1 << 10, "1 kibibytes": 1 << 10,
		"64 mb": 64 << 20, "7m": 7 << 20, "7 mebibytes": 7 << 20,
		"1g": 1 << 30, "1 GB": 1 << 30, "2 gibibytes": 2 << 30,
		"1t": 1 << 40, "1 tb": 1 << 40, "1 tebibytes": 1 << 40, "0": 0,
	}
	for in, want := range cases {
		got, err := ParseMemorySize(in)
		if err != nil || got != want {
			t.Errorf("ParseMemorySize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "   ", "foobar", "-1", "16 gjah", "1.5 gb", "1 mib", "64 parsecs", "9223372036854775808", "9999999999 tb"} {
		if n, err := ParseMemorySize(in); err == nil {
			t.Errorf("ParseMemorySize(%q) = %d, want an error", in, n)
		}
	}
}

func TestFormatDurationRoundTrips(t *testing.T) {
	for _, d := range []time.Duration{0, 36 * time.Hour, 90 * time.Second, time.Minute, 1500 * time.Millisecond, 24 * time.Hour, 7, 3 * time.Microsecond} {
		s := FormatDuration(d)
		got, err := ParseDuration(s)
		if err != nil || got != d {
			t.Errorf("FormatDuration(%v) = %q, parsed back as %v, %v", d, s, got, err)
		}
	}
	if got := FormatDuration(90 * time.Second); got != "90 s" {
		t.Errorf("FormatDuration(90s) = %q, want \"90 s\"", got)
	}
}

func TestValidateNamesKeyAndForms(t *testing.T) {
	good := map[string]string{
		"execution.checkpointing.interval":    "1 min",
		"execution.checkpointing.timeout":     "129600000",
		"execution.checkpointing.min-pause":   "90s",
		"table.exec.state.ttl":                "36 h",
		"state.backend.incremental":           "TRUE",
		"execution.checkpointing.incremental": "false",
		"parallelism.default":                 "4",
		"taskmanager.memory.managed.size":     "64 mb",
		"execution.runtime-mode":              "streaming",
		"some.unknown.key":                    "anything at all",
	}
	if err := Validate(good); err != nil {
		t.Fatalf("Validate(good) = %v", err)
	}
	cases := []struct{ key, value, form string }{
		{"execution.checkpointing.interval", "5 parsecs", "1 min"},
		{"execution.checkpointing.timeout", "-1", "no unit = milliseconds"},
		{"table.exec.state.ttl", "1.5 h", "36 h"},
		{"table.exec.state.ttl", "1h30m", "36 h"},
		{"state.backend.incremental", "yes", "true or false"},
		{"execution.checkpointing.incremental", "1", "true or false"},
		{"parallelism.default", "four", "whole number"},
		{"execution.checkpointing.num-retained", "0", "at least 1"},
		{"taskmanager.memory.managed.size", "64 parsecs", "64 mb"},
		{"execution.runtime-mode", "FAST", "STREAMING, BATCH, AUTOMATIC"},
	}
	for _, c := range cases {
		err := Validate(map[string]string{c.key: c.value})
		if err == nil || !strings.Contains(err.Error(), c.key) || !strings.Contains(err.Error(), c.form) || !strings.Contains(err.Error(), c.value) {
			t.Errorf("%s = %q: err = %v, want one naming the key, the value and %q", c.key, c.value, err, c.form)
		}
	}
	err := Validate(map[string]string{"table.exec.state.ttl": "x", "parallelism.default": "y"})
	if err == nil || !strings.Contains(err.Error(), "table.exec.state.ttl") || !strings.Contains(err.Error(), "parallelism.default") {
		t.Errorf("two bad keys: err = %v, want both named", err)
	}
}
