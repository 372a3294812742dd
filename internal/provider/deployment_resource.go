package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/client"
)

var (
	_ resource.ResourceWithConfigure      = (*deploymentResource)(nil)
	_ resource.ResourceWithImportState    = (*deploymentResource)(nil)
	_ resource.ResourceWithValidateConfig = (*deploymentResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*deploymentResource)(nil)
)

// NewDeploymentResource is the flink_deployment resource.
func NewDeploymentResource() resource.Resource { return &deploymentResource{} }

type deploymentResource struct{ client *client.Client }

func (r *deploymentResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_deployment"
}

func (r *deploymentResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	durations := []validator.String{durationValidator{}}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A deployment: a streaming or batch job definition (SQL or JAR) and its job. `desired_state` " +
			"says whether the job runs; apply waits until it does. Changes to `sql`, `jar`, `flink_configuration` or " +
			"`checkpoint` update the deployment in place and take effect at the job's **next start** (a running job " +
			"keeps running what it started with: set `desired_state = \"STOPPED\"`, apply, then `\"RUNNING\"` again). " +
			"Destroying it stops the job and deletes its checkpoints and snapshots, except a snapshot another " +
			"deployment restores from. Import with the deployment id: `terraform import flink_deployment.x <deployment_id>` " +
			"(`restore` and `stop_strategy` are provider-side settings and are not imported).",
		Attributes: map[string]schema.Attribute{
			"id": idAttribute("deployment"),
			"namespace_id": schema.StringAttribute{
				MarkdownDescription: "Id of the namespace holding the deployment. Changing it replaces the deployment.",
				Required:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "Name of the deployment, unique in its namespace: letters, digits, `.`, `_` and `-`, at most 128 bytes. Changing it replaces the deployment.",
				Required:            true,
				Validators:          []validator.String{identifierName},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"type": schema.StringAttribute{
				MarkdownDescription: "`SQL` (default, takes `sql`), `JAR` or `PYTHON` (take `jar`).",
				Optional:            true, Computed: true,
				Default:    stringdefault.StaticString(api.DeploymentSQL),
				Validators: []validator.String{stringvalidator.OneOf(api.DeploymentSQL, api.DeploymentJAR, api.DeploymentPython)},
			},
			"execution_mode": schema.StringAttribute{
				MarkdownDescription: "`STREAMING` (default) or `BATCH`. A BATCH job that `FINISHED` has done what " +
					"`desired_state = \"RUNNING\"` asks: later applies leave it alone (run it again with " +
					"`terraform apply -replace`); one that failed or was cancelled is started again.",
				Optional: true, Computed: true,
				Default:    stringdefault.StaticString(api.ModeStreaming),
				Validators: []validator.String{stringvalidator.OneOf(api.ModeStreaming, api.ModeBatch)},
			},
			"engine_version": schema.StringAttribute{
				MarkdownDescription: "Engine version: `flink-1.20` (Apache Flink), `vvr-11.1-flink-1.20` or " +
					"`vvr-8.0.9-flink-1.17` (Ververica Runtime). On a `flink` runtime its Flink major.minor must match the " +
					"cluster's, or the start fails naming both. Stateful clones need VVR 6.0.2 or later, or Apache Flink.",
				Required: true,
				Validators: []validator.String{stringvalidator.RegexMatches(engineVersionPattern,
					"must be an engine version such as flink-1.20, vvr-11.1-flink-1.20 or vvr-8.0.9-flink-1.17")},
			},
			"sql": schema.StringAttribute{
				MarkdownDescription: "SQL text of a `SQL` deployment.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"jar": schema.SingleNestedAttribute{
				MarkdownDescription: "Artifact of a `JAR` or `PYTHON` deployment.",
				Optional:            true,
				Attributes: map[string]schema.Attribute{
					"uri": schema.StringAttribute{MarkdownDescription: "The artifact: the `id` of a `flink_file_resource` of " +
						"the same namespace (which cannot be deleted while the deployment uses it), or an http(s) URL the " +
						"engine fetches (held to its `--allow-endpoint` list).", Required: true,
						Validators: []validator.String{stringvalidator.LengthAtLeast(1)}},
					"entry_class": schema.StringAttribute{MarkdownDescription: "Main class of the job.", Optional: true,
						Validators: []validator.String{stringvalidator.LengthAtLeast(1)}},
					"args": schema.ListAttribute{MarkdownDescription: "Arguments passed to the main class.",
						Optional: true, ElementType: types.StringType},
				},
			},
			"parallelism": schema.Int64Attribute{
				MarkdownDescription: "Parallelism of the job; left out, the cluster's default.",
				Optional:            true,
				Validators:          []validator.Int64{int64validator.Between(1, 32768)},
			},
			"flink_configuration": schema.MapAttribute{
				MarkdownDescription: "Flink configuration of the job, including state parameters such as " +
					"`state.backend.incremental` and `table.exec.state.ttl`.",
				Optional: true, ElementType: types.StringType,
			},
			"checkpoint": schema.SingleNestedAttribute{
				MarkdownDescription: "System checkpoint settings. Left out: interval 3m, timeout 10m, no minimum pause, 1 retained.",
				Optional:            true,
				Attributes: map[string]schema.Attribute{
					"interval": schema.StringAttribute{MarkdownDescription: "Checkpointing interval, a Go duration (`3m`).",
						Optional: true, Validators: durations},
					"timeout": schema.StringAttribute{MarkdownDescription: "Checkpointing timeout, a Go duration (`10m`).",
						Optional: true, Validators: durations},
					"min_pause": schema.StringAttribute{MarkdownDescription: "Minimum pause between checkpoints, a Go duration.",
						Optional: true, Validators: durations},
					"retained": schema.Int64Attribute{MarkdownDescription: "Completed checkpoints retained. Defaults to 1. On a " +
						"`flink` runtime the session cluster's `execution.checkpointing.num-retained` decides instead.",
						Optional: true, Computed: true, Default: int64default.StaticInt64(1),
						Validators: []validator.Int64{int64validator.AtLeast(1)}},
				},
			},
			"desired_state": schema.StringAttribute{
				MarkdownDescription: "`STOPPED` (default: creating a deployment does not start it) or `RUNNING`. Changing " +
					"it starts or stops the job in place; apply waits until the job gets there. A job stopped or failed " +
					"outside Terraform reads back as `STOPPED`, so the next plan starts it again.",
				Optional: true, Computed: true,
				Default:    stringdefault.StaticString(desiredStopped),
				Validators: []validator.String{stringvalidator.OneOf(desiredRunning, desiredStopped)},
			},
			"restore": schema.SingleNestedAttribute{
				MarkdownDescription: "Where a start takes the job's state from. Used whenever the job is started; left out: " +
					"`LATEST_STATE`. Changing it alone does not restart a running job.",
				Optional: true,
				Attributes: map[string]schema.Attribute{
					"kind": schema.StringAttribute{
						MarkdownDescription: "`NONE` (no state), `LATEST_STATE` (latest checkpoint or snapshot), " +
							"`LATEST_SAVEPOINT`, `FROM_SAVEPOINT` (the snapshot in `snapshot_id`, possibly of another deployment) " +
							"or `FROM_CHECKPOINT` (the retained checkpoint in `checkpoint_id`, of this deployment).",
						Required: true,
						Validators: []validator.String{stringvalidator.OneOf(api.RestoreNone, api.RestoreLatestState,
							api.RestoreLatestSavepoint, api.RestoreFromSavepoint, api.RestoreFromCheckpoint)},
					},
					"checkpoint_id": schema.StringAttribute{
						MarkdownDescription: "Id of a retained checkpoint of this deployment to start from " +
							"(`data.flink_job_state_sets.x.checkpoints[*].id`); only with `FROM_CHECKPOINT`.",
						Optional: true,
					},
					"snapshot_id": schema.StringAttribute{
						MarkdownDescription: "Id of the snapshot to start from (`flink_job_snapshot.x.id`); only with `FROM_SAVEPOINT`.",
						Optional:            true,
					},
					"allow_non_restored_state": schema.BoolAttribute{
						MarkdownDescription: "Start even when part of the snapshot's state maps to no operator. Defaults to `false`.",
						Optional:            true, Computed: true, Default: booldefault.StaticBool(false),
					},
				},
			},
			"stop_strategy": schema.StringAttribute{
				MarkdownDescription: "How the job is stopped when `desired_state` becomes `STOPPED`: `NONE` (default), " +
					"`STOP_WITH_SAVEPOINT` (take a snapshot first) or `STOP_WITH_DRAIN`.",
				Optional: true, Computed: true,
				Default:    stringdefault.StaticString(api.StopNone),
				Validators: []validator.String{stringvalidator.OneOf(api.StopNone, api.StopWithSavepoint, api.StopWithDrain)},
			},
			"job_id": schema.StringAttribute{
				MarkdownDescription: "Id of the deployment's latest job; null when it never ran.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"flink_job_id": schema.StringAttribute{
				MarkdownDescription: "The latest job's id on the Flink cluster (`flink` runtime); null on the local runtime or when it never ran.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"status": schema.StringAttribute{
				MarkdownDescription: "Status of the latest job (`RUNNING`, `CANCELLED`, `FAILED`, ...), or `CREATED` when it never ran.",
				Computed:            true,
			},
			"version": schema.Int64Attribute{
				MarkdownDescription: "The engine's version of the deployment; it moves on every change.",
				Computed:            true,
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Update: true, Delete: true}),
		},
	}
}

const engineVersionRegex = `^(vvr-\d+\.\d+(\.\d+)?-)?flink-\d+\.\d+$`

func (r *deploymentResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clientFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (r *deploymentResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m deploymentModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !m.Type.IsUnknown() {
		typ := stringOr(m.Type, api.DeploymentSQL)
		if typ == api.DeploymentSQL {
			if m.SQL.IsNull() {
				requireAttr(&resp.Diagnostics, path.Root("sql"), "A SQL deployment needs its SQL text: set sql.")
			}
			if !m.Jar.IsNull() {
				resp.Diagnostics.AddAttributeError(path.Root("jar"), "jar not allowed with type = \"SQL\"",
					"A SQL deployment takes sql, not jar: remove jar, or set type = \"JAR\".")
			}
		} else {
			if m.Jar.IsNull() {
				requireAttr(&resp.Diagnostics, path.Root("jar"), "A "+typ+" deployment needs jar = { uri = ... }.")
			}
			if !m.SQL.IsNull() {
				resp.Diagnostics.AddAttributeError(path.Root("sql"), "sql not allowed with type = \""+typ+"\"",
					"A "+typ+" deployment takes jar, not sql: remove sql, or set type = \"SQL\".")
			}
		}
	}
	if m.Restore.IsNull() || m.Restore.IsUnknown() {
		return
	}
	var rm restoreModel
	resp.Diagnostics.Append(m.Restore.As(ctx, &rm, objectAsLenient)...)
	if rm.Kind.IsUnknown() || rm.SnapshotID.IsUnknown() || rm.CheckpointID.IsUnknown() {
		return
	}
	validateRestoreRef(&resp.Diagnostics, rm.Kind.ValueString(), api.RestoreFromCheckpoint, "checkpoint_id", rm.CheckpointID,
		"starts from one retained checkpoint of this deployment: set restore.checkpoint_id to its id (data.flink_job_state_sets.x.checkpoints[0].id).")
	validateRestoreRef(&resp.Diagnostics, rm.Kind.ValueString(), api.RestoreFromSavepoint, "snapshot_id", rm.SnapshotID,
		"starts from one snapshot: set restore.snapshot_id to its id (flink_job_snapshot.x.id).")
}

// ModifyPlan marks job_id unknown when a start is planned: the start makes a new job. And it keeps
// status and version known when the update cannot move them (see keepStatusAndVersion).
func (r *deploymentResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() {
		return
	}
	keepStatusAndVersion(ctx, req, resp)
	var planned, prior types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("desired_state"), &planned)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("desired_state"), &prior)...)
	if planned.IsUnknown() || (planned.ValueString() == desiredRunning && prior.ValueString() != desiredRunning) {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("job_id"), types.StringUnknown())...)
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("flink_job_id"), types.StringUnknown())...)
	}
}

func (r *deploymentResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan deploymentModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, defaultJobTimeout)
	resp.Diagnostics.Append(diags...)
	spec := specFromModel(ctx, plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withNamedTimeout(ctx, "timeouts.create", timeout)
	defer cancel()
	what := "Creating flink_deployment " + plan.Name.ValueString()
	obj, err := r.client.CreateDeployment(ctx, plan.NamespaceID.ValueString(), plan.Name.ValueString(), spec)
	if err != nil {
		addTimedError(ctx, &resp.Diagnostics, what, err)
		return
	}
	applySpec(ctx, &plan, obj, spec, &resp.Diagnostics)
	plan.JobID, plan.FlinkJobID, plan.Status = types.StringNull(), types.StringNull(), types.StringValue(obj.Status)
	// Saved before the start, so a start that fails leaves a tracked (tainted) deployment, not an orphan.
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
	if resp.Diagnostics.HasError() || plan.DesiredState.ValueString() != desiredRunning {
		return
	}
	r.converge(ctx, &plan, desiredStopped, what, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *deploymentResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state deploymentModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	obj, err := r.client.GetObject(ctx, state.ID.ValueString())
	if client.IsNotFound(err) {
		removeGone(ctx, resp, "flink_deployment", state.ID.ValueString())
		return
	}
	if err != nil {
		addClientError(&resp.Diagnostics, "Reading flink_deployment "+state.ID.ValueString(), err)
		return
	}
	// The kind first: decoding another kind's spec as a deployment's would fail less clearly.
	if !checkObjectKind(&resp.Diagnostics, "flink_deployment", api.KindDeployment, obj) {
		return
	}
	spec, err := client.DecodeSpec[api.DeploymentSpec](obj)
	if err != nil {
		addClientError(&resp.Diagnostics, "Reading flink_deployment "+state.ID.ValueString(), err)
		return
	}
	applySpec(ctx, &state, obj, spec, &resp.Diagnostics)
	r.readJob(ctx, &state, obj.Status, &resp.Diagnostics)
	state.DesiredState = types.StringValue(desiredFromJob(state.Status.ValueString(), state.ExecutionMode.ValueString()))
	if state.StopStrategy.IsNull() {
		state.StopStrategy = types.StringValue(api.StopNone) // after an import
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

func (r *deploymentResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state deploymentModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Update(ctx, defaultJobTimeout)
	resp.Diagnostics.Append(diags...)
	spec := specFromModel(ctx, plan, &resp.Diagnostics)
	oldSpec := specFromModel(ctx, state, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withNamedTimeout(ctx, "timeouts.update", timeout)
	defer cancel()
	id := state.ID.ValueString()
	what := "Updating flink_deployment " + plan.Name.ValueString()
	obj, liveSpec, err := r.client.GetDeployment(ctx, id)
	if err == nil && !specsEqual(spec, oldSpec) {
		obj, err = r.client.UpdateDeployment(ctx, id, plan.Name.ValueString(), spec, state.Version.ValueInt64())
		liveSpec = spec
	}
	if err != nil {
		addTimedError(ctx, &resp.Diagnostics, what, err)
		return
	}
	plannedStatus, plannedVersion := plan.Status, plan.Version
	applySpec(ctx, &plan, obj, liveSpec, &resp.Diagnostics)
	plan.JobID, plan.FlinkJobID = state.JobID, state.FlinkJobID
	r.converge(ctx, &plan, state.DesiredState.ValueString(), what, &resp.Diagnostics)
	// What the plan promised (keepStatusAndVersion) is what the state gets: a job that changed on its own
	// between plan and apply shows in the next refresh, not as an inconsistent result.
	if !plannedStatus.IsUnknown() {
		plan.Status = plannedStatus
	}
	if !plannedVersion.IsUnknown() {
		plan.Version = plannedVersion
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *deploymentResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state deploymentModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := state.Timeouts.Delete(ctx, defaultJobTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := withNamedTimeout(ctx, "timeouts.delete", timeout)
	defer cancel()
	if err := r.client.DeleteObject(ctx, state.ID.ValueString()); err != nil && !client.IsNotFound(err) {
		addTimedError(ctx, &resp.Diagnostics, "Deleting flink_deployment "+state.Name.ValueString(), err)
	}
}

func (r *deploymentResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importObjectOfKind(ctx, r.client, "flink_deployment", api.KindDeployment, req, resp)
}

// converge starts or stops the job so it matches plan.DesiredState (from was the state before), waits
// for it, and records the job in plan. It always leaves job_id and status known.
func (r *deploymentResource) converge(ctx context.Context, plan *deploymentModel, from, what string, diags *diag.Diagnostics) {
	id := plan.ID.ValueString()
	var err error
	switch want := plan.DesiredState.ValueString(); {
	case want == desiredRunning && from != desiredRunning:
		start := startRequestFromModel(ctx, *plan, diags)
		if _, err = r.client.StartDeployment(ctx, id, start); err != nil {
			addStartError(ctx, diags, what, start, err)
			err = nil
		} else {
			_, err = r.client.WaitForJobStatus(ctx, id, startedStatuses(plan.ExecutionMode.ValueString())...)
		}
	case want == desiredStopped && from == desiredRunning:
		stop := api.StopRequest{Strategy: plan.StopStrategy.ValueString()}
		_, err = r.client.StopDeployment(ctx, id, stop)
		if client.HasCode(err, api.CodeJobNotRunning) {
			err = nil // it stopped on its own meanwhile
		}
		if err == nil {
			_, err = r.client.WaitForJobStatus(ctx, id, api.JobCancelled, api.JobFinished, api.JobFailed)
		}
	}
	if err != nil {
		addTimedError(ctx, diags, what, err)
	}
	r.readJob(context.WithoutCancel(ctx), plan, api.StatusCreated, diags)
}

// readJob records the latest job's id and status in m; a deployment that never ran keeps fallback.
func (r *deploymentResource) readJob(ctx context.Context, m *deploymentModel, fallback string, diags *diag.Diagnostics) {
	job, err := r.client.GetJob(ctx, m.ID.ValueString())
	switch {
	case client.IsNotFound(err):
		m.JobID, m.FlinkJobID, m.Status = types.StringNull(), types.StringNull(), types.StringValue(fallback)
	case err != nil:
		addClientError(diags, "Reading the job of flink_deployment "+m.Name.ValueString(), err)
		if m.JobID.IsUnknown() {
			m.JobID = types.StringNull()
		}
		if m.FlinkJobID.IsUnknown() {
			m.FlinkJobID = types.StringNull()
		}
		m.Status = types.StringValue(fallback)
	default:
		m.JobID, m.FlinkJobID, m.Status = types.StringValue(job.ID), stringOrNull(job.FlinkJobID), types.StringValue(job.Status)
	}
}
