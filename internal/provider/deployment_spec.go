package provider

import (
	"context"
	"encoding/json"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/streamstate/terraform-provider-flink/internal/api"
)

// deploymentModel is flink_deployment's state.
type deploymentModel struct {
	ID                 types.String   `tfsdk:"id"`
	NamespaceID        types.String   `tfsdk:"namespace_id"`
	Name               types.String   `tfsdk:"name"`
	Type               types.String   `tfsdk:"type"`
	ExecutionMode      types.String   `tfsdk:"execution_mode"`
	EngineVersion      types.String   `tfsdk:"engine_version"`
	SQL                types.String   `tfsdk:"sql"`
	Jar                types.Object   `tfsdk:"jar"`
	FlinkConfiguration types.Map      `tfsdk:"flink_configuration"`
	Checkpoint         types.Object   `tfsdk:"checkpoint"`
	Parallelism        types.Int64    `tfsdk:"parallelism"`
	DesiredState       types.String   `tfsdk:"desired_state"`
	Restore            types.Object   `tfsdk:"restore"`
	StopStrategy       types.String   `tfsdk:"stop_strategy"`
	JobID              types.String   `tfsdk:"job_id"`
	FlinkJobID         types.String   `tfsdk:"flink_job_id"`
	Status             types.String   `tfsdk:"status"`
	Version            types.Int64    `tfsdk:"version"`
	Timeouts           timeouts.Value `tfsdk:"timeouts"`
}

type jarModel struct {
	URI        types.String `tfsdk:"uri"`
	EntryClass types.String `tfsdk:"entry_class"`
	Args       types.List   `tfsdk:"args"`
}

type checkpointModel struct {
	Interval types.String `tfsdk:"interval"`
	Timeout  types.String `tfsdk:"timeout"`
	MinPause types.String `tfsdk:"min_pause"`
	Retained types.Int64  `tfsdk:"retained"`
}

type restoreModel struct {
	Kind                  types.String `tfsdk:"kind"`
	SnapshotID            types.String `tfsdk:"snapshot_id"`
	CheckpointID          types.String `tfsdk:"checkpoint_id"`
	AllowNonRestoredState types.Bool   `tfsdk:"allow_non_restored_state"`
}

var (
	jarAttrTypes = map[string]attr.Type{"uri": types.StringType, "entry_class": types.StringType,
		"args": types.ListType{ElemType: types.StringType}}
	checkpointAttrTypes = map[string]attr.Type{"interval": types.StringType, "timeout": types.StringType,
		"min_pause": types.StringType, "retained": types.Int64Type}
)

// Desired states of a deployment's job.
const (
	desiredRunning = "RUNNING"
	desiredStopped = "STOPPED"
)

// desiredFromJob maps a job status onto desired_state, so a job stopped or failed outside Terraform
// shows up as a plan to start it again.
//
// A BATCH job that FINISHED did what desired_state = "RUNNING" asked: it ran to its end. It reads as
// RUNNING, so later applies do not run it again (re-run it with `terraform apply -replace`). A BATCH job
// that failed or was cancelled reads as STOPPED, and the next apply starts it again.
func desiredFromJob(status, executionMode string) string {
	if status == api.JobRunning || status == api.JobStarting {
		return desiredRunning
	}
	if status == api.JobFinished && executionMode == api.ModeBatch {
		return desiredRunning
	}
	return desiredStopped
}

// startedStatuses are the job statuses a start waits for: a BATCH job may finish before it is seen running.
func startedStatuses(executionMode string) []string {
	if executionMode == api.ModeBatch {
		return []string{api.JobRunning, api.JobFinished}
	}
	return []string{api.JobRunning}
}

// specFromModel builds the engine spec from the plan.
func specFromModel(ctx context.Context, m deploymentModel, diags *diag.Diagnostics) api.DeploymentSpec {
	spec := api.DeploymentSpec{
		Type:          m.Type.ValueString(),
		ExecutionMode: m.ExecutionMode.ValueString(),
		EngineVersion: m.EngineVersion.ValueString(),
		SQL:           m.SQL.ValueString(),
		Parallelism:   int(m.Parallelism.ValueInt64()),
	}
	if !m.Jar.IsNull() && !m.Jar.IsUnknown() {
		var j jarModel
		diags.Append(m.Jar.As(ctx, &j, basetypes.ObjectAsOptions{})...)
		spec.Jar = &api.JarSpec{URI: j.URI.ValueString(), EntryClass: j.EntryClass.ValueString()}
		if !j.Args.IsNull() {
			diags.Append(j.Args.ElementsAs(ctx, &spec.Jar.Args, false)...)
		}
	}
	if !m.FlinkConfiguration.IsNull() {
		spec.FlinkConfiguration = map[string]string{}
		diags.Append(m.FlinkConfiguration.ElementsAs(ctx, &spec.FlinkConfiguration, false)...)
	}
	if !m.Checkpoint.IsNull() && !m.Checkpoint.IsUnknown() {
		var c checkpointModel
		diags.Append(m.Checkpoint.As(ctx, &c, basetypes.ObjectAsOptions{})...)
		spec.Checkpoint = api.CheckpointSettings{Interval: parseDuration(c.Interval), Timeout: parseDuration(c.Timeout),
			MinPause: parseDuration(c.MinPause), Retained: int(c.Retained.ValueInt64())}
	}
	return spec
}

// startRequestFromModel turns `restore` into the start request (null: the engine's default, LATEST_STATE).
func startRequestFromModel(ctx context.Context, m deploymentModel, diags *diag.Diagnostics) api.StartRequest {
	if m.Restore.IsNull() || m.Restore.IsUnknown() {
		return api.StartRequest{}
	}
	var r restoreModel
	diags.Append(m.Restore.As(ctx, &r, basetypes.ObjectAsOptions{})...)
	return api.StartRequest{RestoreStrategy: r.Kind.ValueString(), SnapshotID: r.SnapshotID.ValueString(),
		CheckpointID: r.CheckpointID.ValueString(), AllowNonRestoredState: r.AllowNonRestoredState.ValueBool()}
}

// applySpec writes the engine's object and spec into m, keeping how the user wrote things where the
// engine's form means the same (durations, absent vs empty).
func applySpec(ctx context.Context, m *deploymentModel, obj api.Object, spec api.DeploymentSpec, diags *diag.Diagnostics) {
	m.ID = types.StringValue(obj.ID)
	m.NamespaceID = types.StringValue(obj.NamespaceID)
	m.Name = types.StringValue(obj.Name)
	m.Type = types.StringValue(spec.Type)
	m.ExecutionMode = types.StringValue(spec.ExecutionMode)
	m.EngineVersion = types.StringValue(spec.EngineVersion)
	m.SQL = stringOrNull(spec.SQL)
	m.Parallelism = types.Int64Null()
	if spec.Parallelism > 0 {
		m.Parallelism = types.Int64Value(int64(spec.Parallelism))
	}
	m.Version = types.Int64Value(obj.Version)

	if spec.Jar == nil {
		m.Jar = types.ObjectNull(jarAttrTypes)
	} else {
		var prior jarModel
		if !m.Jar.IsNull() && !m.Jar.IsUnknown() {
			diags.Append(m.Jar.As(ctx, &prior, basetypes.ObjectAsOptions{})...)
		}
		args := types.ListNull(types.StringType)
		if spec.Jar.Args != nil || (!prior.Args.IsNull() && !prior.Args.IsUnknown()) {
			args = stringList(spec.Jar.Args)
		}
		m.Jar = types.ObjectValueMust(jarAttrTypes, map[string]attr.Value{"uri": types.StringValue(spec.Jar.URI),
			"entry_class": stringOrNull(spec.Jar.EntryClass), "args": args})
	}

	if spec.FlinkConfiguration == nil && (m.FlinkConfiguration.IsNull() || m.FlinkConfiguration.IsUnknown()) {
		m.FlinkConfiguration = types.MapNull(types.StringType)
	} else {
		vals := map[string]attr.Value{}
		for k, v := range spec.FlinkConfiguration {
			vals[k] = types.StringValue(v)
		}
		m.FlinkConfiguration = types.MapValueMust(types.StringType, vals)
	}

	c := spec.Checkpoint
	isDefault := c.Interval.IsZero() && c.Timeout.IsZero() && c.MinPause.IsZero() && c.Retained <= 1
	if isDefault && (m.Checkpoint.IsNull() || m.Checkpoint.IsUnknown()) {
		m.Checkpoint = types.ObjectNull(checkpointAttrTypes)
		return
	}
	var prior checkpointModel
	if !m.Checkpoint.IsNull() && !m.Checkpoint.IsUnknown() {
		diags.Append(m.Checkpoint.As(ctx, &prior, basetypes.ObjectAsOptions{})...)
	}
	retained := int64(c.Retained)
	if retained == 0 {
		retained = 1
	}
	m.Checkpoint = types.ObjectValueMust(checkpointAttrTypes, map[string]attr.Value{
		"interval":  keepDuration(prior.Interval, c.Interval),
		"timeout":   keepDuration(prior.Timeout, c.Timeout),
		"min_pause": keepDuration(prior.MinPause, c.MinPause),
		"retained":  types.Int64Value(retained),
	})
}

var engineVersionPattern = regexp.MustCompile(engineVersionRegex)

// validateRestoreRef checks that ref is set exactly when the restore kind is kind.
func validateRestoreRef(diags *diag.Diagnostics, got, kind, attr string, ref types.String, need string) {
	at := path.Root("restore").AtName(attr)
	if got == kind && ref.IsNull() {
		requireAttr(diags, at, "restore.kind = \""+kind+"\" "+need)
	}
	if got != kind && !ref.IsNull() {
		diags.AddAttributeError(at, attr+" needs "+kind,
			"restore."+attr+" is only used with restore.kind = \""+kind+"\": set that kind or remove "+attr+".")
	}
}

// objectAsLenient reads a nested object whose parts may still be unknown (validation time).
var objectAsLenient = basetypes.ObjectAsOptions{UnhandledUnknownAsEmpty: true, UnhandledNullAsEmpty: true}

// specsEqual compares two specs as the engine would see them.
func specsEqual(a, b api.DeploymentSpec) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && string(ja) == string(jb)
}
