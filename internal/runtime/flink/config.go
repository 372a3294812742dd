package flink

import (
	"strconv"
	"strings"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/runtime"
	"github.com/streamstate/terraform-provider-flink/internal/runtime/flinkconf"
)

// Configuration keys the runtime sets. Every one is read by Flink 1.20 and by 2.x (1.20 introduced the
// execution.checkpointing.* and execution.state-recovery.* names; 2.0 removed the older ones).
const (
	keyCheckpointInterval  = "execution.checkpointing.interval"
	keyCheckpointTimeout   = "execution.checkpointing.timeout"
	keyCheckpointMinPause  = "execution.checkpointing.min-pause"
	keyCheckpointRetained  = "execution.checkpointing.num-retained"
	keyCheckpointDir       = "execution.checkpointing.dir"
	keyCheckpointRetention = "execution.checkpointing.externalized-checkpoint-retention"
	keyIncremental         = "execution.checkpointing.incremental"
	keyLegacyIncremental   = "state.backend.incremental"
	keyRuntimeMode         = "execution.runtime-mode"
	keyParallelism         = "parallelism.default"
	keyRestorePath         = "execution.state-recovery.path"
	keyClaimMode           = "execution.state-recovery.claim-mode"
	keyIgnoreUnclaimed     = "execution.state-recovery.ignore-unclaimed-state"
	// keyFixedJobID makes the job graph carry a job id chosen by the caller (PipelineOptionsInternal), so
	// a SQL job's id is known before it is submitted, as a JAR job's is through the run request's jobId.
	keyFixedJobID = "$internal.pipeline.job-id"
)

// ownedKeys are older names of keys the runtime sets: a user value under them would fight the runtime's
// (1.20 still reads them as fallbacks), so they are dropped.
var ownedKeys = []string{
	"state.checkpoints.dir", "state.checkpoints.num-retained", "execution.savepoint.path",
	"execution.savepoint-restore-mode", "execution.savepoint.ignore-unclaimed-state",
	"execution.checkpointing.externalized-checkpoint-retention", "execution.checkpointing.dir",
	keyRestorePath, keyClaimMode, keyIgnoreUnclaimed,
}

// effectiveConfig is the job configuration Flink receives: the deployment's keys (without the local
// runtime's local.* keys and any $internal.* key), then the checkpoint settings, where checkpoints go,
// how the job ends, and the restore point, which win over the user's.
func effectiveConfig(spec runtime.JobSpec, flinkJobID string) map[string]string {
	out := make(map[string]string, len(spec.Config)+16)
	for k, v := range spec.Config {
		if strings.HasPrefix(k, "local.") || strings.HasPrefix(k, "$internal.") {
			continue
		}
		out[k] = v
	}
	for _, k := range ownedKeys {
		delete(out, k)
	}
	if v, ok := out[keyLegacyIncremental]; ok {
		if _, set := out[keyIncremental]; !set {
			out[keyIncremental] = v
		}
	}
	cp := spec.Checkpoint
	if cp.Interval > 0 {
		out[keyCheckpointInterval] = flinkconf.FormatDuration(cp.Interval)
	}
	if cp.Timeout > 0 {
		out[keyCheckpointTimeout] = flinkconf.FormatDuration(cp.Timeout)
	}
	if cp.MinPause > 0 {
		out[keyCheckpointMinPause] = flinkconf.FormatDuration(cp.MinPause)
	}
	if cp.Retained > 0 {
		out[keyCheckpointRetained] = strconv.Itoa(cp.Retained)
	}
	out[keyCheckpointDir] = spec.Storage.Location(spec.CheckpointPrefix)
	out[keyCheckpointRetention] = "RETAIN_ON_CANCELLATION"
	switch strings.ToUpper(spec.Program.ExecutionMode) {
	case "BATCH":
		out[keyRuntimeMode] = "BATCH"
	case "STREAMING", "":
		out[keyRuntimeMode] = "STREAMING"
	}
	if spec.Program.Parallelism > 0 {
		out[keyParallelism] = strconv.Itoa(spec.Program.Parallelism)
	}
	if r := spec.Restore; r != nil {
		out[keyRestorePath] = r.Storage.Location(r.Prefix)
		out[keyClaimMode] = "NO_CLAIM"
		out[keyIgnoreUnclaimed] = strconv.FormatBool(r.AllowNonRestoredState)
	}
	if spec.Program.Type == api.DeploymentSQL {
		out[keyFixedJobID] = flinkJobID
	}
	return out
}

// parseBoolLoose reads a boolean the way Flink does (true/false in any case).
func parseBoolLoose(v string) (bool, error) { return flinkconf.ParseBool(v) }
