package flinkconf

import (
	"fmt"
	"sort"
	"strings"
)

// Kind is the type Flink gives a configuration key.
type Kind int

const (
	KindDuration Kind = iota + 1
	KindMemorySize
	KindBool
	KindInt
	KindEnum
)

// option is one well-known key: its kind, a lower bound for numbers, the values of an enum.
type option struct {
	kind   Kind
	min    int64 // ints, and durations in milliseconds
	values []string
}

// Options lists the well-known keys Validate checks. Keys not listed pass through unchecked: Flink has
// hundreds, and an unknown one is Flink's to judge. Both the Flink 1.20 names and the 2.x names (most of
// which 1.20 already accepts) are listed.
var options = map[string]option{
	// Checkpointing.
	"execution.checkpointing.interval":                          {kind: KindDuration},
	"execution.checkpointing.timeout":                           {kind: KindDuration, min: 1},
	"execution.checkpointing.min-pause":                         {kind: KindDuration},
	"execution.checkpointing.interval-during-backlog":           {kind: KindDuration},
	"execution.checkpointing.alignment-timeout":                 {kind: KindDuration},
	"execution.checkpointing.aligned-checkpoint-timeout":        {kind: KindDuration},
	"execution.checkpointing.num-retained":                      {kind: KindInt, min: 1},
	"state.checkpoints.num-retained":                            {kind: KindInt, min: 1},
	"execution.checkpointing.max-concurrent-checkpoints":        {kind: KindInt, min: 1},
	"execution.checkpointing.tolerable-failed-checkpoints":      {kind: KindInt},
	"execution.checkpointing.unaligned":                         {kind: KindBool},
	"execution.checkpointing.unaligned.enabled":                 {kind: KindBool},
	"execution.checkpointing.incremental":                       {kind: KindBool},
	"state.backend.incremental":                                 {kind: KindBool},
	"execution.checkpointing.file-merging.enabled":              {kind: KindBool},
	"execution.checkpointing.mode":                              {kind: KindEnum, values: []string{"EXACTLY_ONCE", "AT_LEAST_ONCE"}},
	"execution.checkpointing.externalized-checkpoint-retention": {kind: KindEnum, values: []string{"DELETE_ON_CANCELLATION", "RETAIN_ON_CANCELLATION", "NO_EXTERNALIZED_CHECKPOINTS"}},
	"state.storage.fs.memory-threshold":                         {kind: KindMemorySize},
	"state.storage.fs.write-buffer-size":                        {kind: KindMemorySize},
	"execution.checkpointing.data-inline-threshold":             {kind: KindMemorySize},
	"execution.checkpointing.write-buffer-size":                 {kind: KindMemorySize},
	// Restore.
	"execution.state-recovery.claim-mode":             {kind: KindEnum, values: []string{"CLAIM", "NO_CLAIM"}},
	"execution.state-recovery.ignore-unclaimed-state": {kind: KindBool},
	"execution.savepoint.ignore-unclaimed-state":      {kind: KindBool},
	// Execution.
	"execution.runtime-mode":                {kind: KindEnum, values: []string{"STREAMING", "BATCH", "AUTOMATIC"}},
	"parallelism.default":                   {kind: KindInt, min: -1},
	"pipeline.max-parallelism":              {kind: KindInt, min: -1},
	"pipeline.auto-watermark-interval":      {kind: KindDuration},
	"pipeline.object-reuse":                 {kind: KindBool},
	"execution.buffer-timeout":              {kind: KindDuration},
	"execution.buffer-timeout.interval":     {kind: KindDuration},
	"restart-strategy.fixed-delay.attempts": {kind: KindInt, min: 0},
	"restart-strategy.fixed-delay.delay":    {kind: KindDuration},
	// State.
	"table.exec.state.ttl":                                  {kind: KindDuration},
	"state.backend.rocksdb.memory.managed":                  {kind: KindBool},
	"state.backend.rocksdb.memory.fixed-per-slot":           {kind: KindMemorySize},
	"state.backend.rocksdb.block.cache-size":                {kind: KindMemorySize},
	"state.backend.rocksdb.writebuffer.size":                {kind: KindMemorySize},
	"state.backend.local-recovery":                          {kind: KindBool},
	"state.backend.changelog.enabled":                       {kind: KindBool},
	"state.backend.changelog.periodic-materialize.interval": {kind: KindDuration},
	// Table.
	"table.exec.mini-batch.enabled":           {kind: KindBool},
	"table.exec.mini-batch.allow-latency":     {kind: KindDuration},
	"table.exec.mini-batch.size":              {kind: KindInt},
	"table.exec.resource.default-parallelism": {kind: KindInt, min: -1},
	"table.exec.source.idle-timeout":          {kind: KindDuration},
	"table.dml-sync":                          {kind: KindBool},
	// Memory (per job they are ignored by a session cluster, but a typo is still worth catching).
	"taskmanager.memory.process.size":       {kind: KindMemorySize},
	"taskmanager.memory.managed.size":       {kind: KindMemorySize},
	"taskmanager.memory.network.min":        {kind: KindMemorySize},
	"taskmanager.memory.network.max":        {kind: KindMemorySize},
	"taskmanager.memory.task.heap.size":     {kind: KindMemorySize},
	"taskmanager.memory.task.off-heap.size": {kind: KindMemorySize},
	"jobmanager.memory.process.size":        {kind: KindMemorySize},
	"taskmanager.numberOfTaskSlots":         {kind: KindInt, min: 1},
}

// KindOf reports the kind of a well-known key.
func KindOf(key string) (Kind, bool) {
	o, ok := options[key]
	return o.kind, ok
}

// Validate checks every well-known key of cfg as Flink would parse it. The error names the key, the
// value and the accepted forms; with several bad keys it names each one, in key order.
func Validate(cfg map[string]string) error {
	keys := make([]string, 0, len(cfg))
	for k := range cfg {
		if _, ok := options[k]; ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var problems []string
	for _, k := range keys {
		if err := check(k, options[k], cfg[k]); err != nil {
			problems = append(problems, err.Error())
		}
	}
	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("%s", strings.Join(problems, "; "))
}

func check(key string, o option, v string) error {
	bad := func(err error, forms string) error {
		return fmt.Errorf("flink configuration %s = %q: %v; want %s", key, v, err, forms)
	}
	switch o.kind {
	case KindDuration:
		d, err := ParseDuration(v)
		if err != nil {
			return bad(err, DurationForms)
		}
		if o.min > 0 && d.Milliseconds() < o.min {
			return fmt.Errorf("flink configuration %s = %q: must be at least %d ms", key, v, o.min)
		}
	case KindMemorySize:
		if _, err := ParseMemorySize(v); err != nil {
			return bad(err, MemoryForms)
		}
	case KindBool:
		if _, err := ParseBool(v); err != nil {
			return bad(err, "true or false")
		}
	case KindInt:
		n, err := ParseInt(v)
		if err != nil {
			return bad(err, "a whole number such as 4")
		}
		if int64(n) < o.min {
			return fmt.Errorf("flink configuration %s = %q: must be at least %d", key, v, o.min)
		}
	case KindEnum:
		// Flink upper-cases enum values before Enum.valueOf.
		up := strings.ToUpper(javaTrim(v))
		for _, allowed := range o.values {
			if up == allowed {
				return nil
			}
		}
		return fmt.Errorf("flink configuration %s = %q: want one of %s", key, v, strings.Join(o.values, ", "))
	}
	return nil
}
