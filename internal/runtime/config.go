package runtime

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/runtime/flinkconf"
)

// Configuration keys the local runtime and the state format honour.
const (
	ConfigRecordsPerSecond  = "local.records-per-second"
	ConfigStateBytes        = "local.state-bytes"
	ConfigChunkBytes        = "local.chunk-bytes"
	ConfigCheckpointFailure = "local.checkpoint-failure"
	ConfigSavepointFailure  = "local.savepoint-failure"
	ConfigSavepointDelay    = "local.savepoint-delay"
	ConfigOperatorLayout    = "local.operator-layout"
	ConfigIncremental       = "state.backend.incremental"
	ConfigStateTTL          = "table.exec.state.ttl"
)

// Defaults of the local configuration keys.
const (
	DefaultRecordsPerSecond = 1000
	DefaultStateBytes       = 1 << 20
	DefaultChunkBytes       = 4 << 20
	// MaxChunkFiles bounds state-bytes / chunk-bytes, so a typo cannot ask for millions of files.
	MaxChunkFiles = 100000
	// MaxStateBytes caps the simulated state of one local job: the local runtime is for trying things
	// out, and every checkpoint and snapshot writes this many bytes.
	MaxStateBytes       = 1 << 30
	maxRecordsPerSecond = 1_000_000_000
	maxSavepointDelay   = time.Hour
)

// LocalConfig is a deployment's configuration as the local runtime reads it.
type LocalConfig struct {
	RecordsPerSecond  int64
	StateBytes        int64
	ChunkBytes        int64
	CheckpointFailure bool
	SavepointFailure  bool
	// SavepointDelay holds every savepoint back this long before it writes (a slow savepoint, to try
	// what waits for one: a DO_NOT_SKIP clone, a stop with savepoint).
	SavepointDelay time.Duration
	OperatorLayout string
	Incremental    bool
	// StateTTL is zero when keyed state never expires.
	StateTTL time.Duration
}

// ValidateConfig checks the keys of cfg that the local runtime and the state format honour, and every
// well-known Flink key as Flink would parse it; other keys are passed through untouched.
func ValidateConfig(cfg map[string]string) error {
	if err := flinkconf.Validate(cfg); err != nil {
		return err
	}
	_, err := ParseConfig(cfg)
	return err
}

// ParseConfig reads cfg with defaults applied. Errors name the key and the form it expects.
func ParseConfig(cfg map[string]string) (LocalConfig, error) {
	c := LocalConfig{RecordsPerSecond: DefaultRecordsPerSecond, StateBytes: DefaultStateBytes, ChunkBytes: DefaultChunkBytes}
	var err error
	if v, ok := cfg[ConfigRecordsPerSecond]; ok {
		n, perr := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if perr != nil || n < 0 || n > maxRecordsPerSecond {
			return c, fmt.Errorf("flink configuration %s = %q: want a whole number of records per second from 0 to %d", ConfigRecordsPerSecond, v, maxRecordsPerSecond)
		}
		c.RecordsPerSecond = n
	}
	if v, ok := cfg[ConfigStateBytes]; ok {
		if c.StateBytes, err = parseSize(ConfigStateBytes, v, 0); err != nil {
			return c, err
		}
	}
	if v, ok := cfg[ConfigChunkBytes]; ok {
		if c.ChunkBytes, err = parseSize(ConfigChunkBytes, v, 1); err != nil {
			return c, err
		}
	}
	if n := (c.StateBytes + c.ChunkBytes - 1) / c.ChunkBytes; n > MaxChunkFiles {
		return c, fmt.Errorf("flink configuration %s / %s gives %d state files; at most %d are allowed: raise %s",
			ConfigStateBytes, ConfigChunkBytes, n, MaxChunkFiles, ConfigChunkBytes)
	}
	if c.StateBytes > MaxStateBytes {
		return c, fmt.Errorf("flink configuration %s = %q: the local runtime simulates at most %d bytes (1 GiB) of state per job", ConfigStateBytes, cfg[ConfigStateBytes], MaxStateBytes)
	}
	for key, dst := range map[string]*bool{ConfigCheckpointFailure: &c.CheckpointFailure, ConfigSavepointFailure: &c.SavepointFailure, ConfigIncremental: &c.Incremental} {
		if v, ok := cfg[key]; ok {
			b, perr := strconv.ParseBool(strings.TrimSpace(v))
			if perr != nil {
				return c, fmt.Errorf("flink configuration %s = %q: want true or false", key, v)
			}
			*dst = b
		}
	}
	if v, ok := cfg[ConfigSavepointDelay]; ok {
		d, perr := time.ParseDuration(strings.TrimSpace(v))
		if perr != nil || d < 0 || d > maxSavepointDelay {
			return c, fmt.Errorf("flink configuration %s = %q: want a duration from 0s to %s, like \"30s\" or \"10m\"", ConfigSavepointDelay, v, maxSavepointDelay)
		}
		c.SavepointDelay = d
	}
	c.OperatorLayout = cfg[ConfigOperatorLayout]
	if v, ok := cfg[ConfigStateTTL]; ok {
		if c.StateTTL, err = parseTTL(v); err != nil {
			return c, err
		}
	}
	return c, nil
}

// parseSize reads a byte count as Flink reads memory sizes ("1048576", "64 mb", "1g"; 1 kb = 1024 bytes).
func parseSize(key, v string, minimum int64) (int64, error) {
	n, err := flinkconf.ParseMemorySize(v)
	if err != nil || n < minimum {
		return 0, fmt.Errorf("flink configuration %s = %q: want a memory size of at least %d bytes, like 1048576, \"64 mb\" or \"1g\"", key, v, minimum)
	}
	return n, nil
}

// parseTTL reads table.exec.state.ttl as Flink reads durations: milliseconds as a whole number
// (129600000, as Flink's console writes it) or with a unit ("36 h", "1 d", "90 min"). Zero turns it off.
func parseTTL(v string) (time.Duration, error) {
	d, err := flinkconf.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("flink configuration %s = %q: %v; want %s", ConfigStateTTL, v, err, flinkconf.DurationForms)
	}
	return d, nil
}

// DefaultCheckpointSettings applies the defaults to a deployment's checkpoint settings: interval 3m,
// timeout 10m, min pause 0 and 1 retained checkpoint when a value is zero (or negative).
func DefaultCheckpointSettings(c api.CheckpointSettings) CheckpointSettings {
	s := CheckpointSettings{
		Interval: c.Interval.Std(),
		Timeout:  c.Timeout.Std(),
		MinPause: c.MinPause.Std(),
		Retained: c.Retained,
	}
	if s.Interval <= 0 {
		s.Interval = 3 * time.Minute
	}
	if s.Timeout <= 0 {
		s.Timeout = 10 * time.Minute
	}
	if s.MinPause < 0 {
		s.MinPause = 0
	}
	if s.Retained <= 0 {
		s.Retained = 1
	}
	return s
}

// Fingerprint is the state schema fingerprint of a deployment: a hash of what decides the layout of its
// state — the SQL text with runs of whitespace collapsed (or the jar URI and entry class) and the
// local.operator-layout key. Parallelism, checkpoint settings and other configuration are left out, so a
// restart with changed configuration can restore the old state.
func Fingerprint(spec api.DeploymentSpec) string {
	h := sha256.New()
	switch {
	case strings.TrimSpace(spec.SQL) != "":
		fmt.Fprintf(h, "sql\x00%s\x00", strings.Join(strings.Fields(spec.SQL), " "))
	case spec.Jar != nil:
		fmt.Fprintf(h, "jar\x00%s\x00%s\x00", strings.TrimSpace(spec.Jar.URI), strings.TrimSpace(spec.Jar.EntryClass))
	default:
		fmt.Fprintf(h, "empty\x00")
	}
	fmt.Fprintf(h, "layout\x00%s", spec.FlinkConfiguration[ConfigOperatorLayout])
	return "sha256:" + hex.EncodeToString(h.Sum(nil))[:32]
}
