package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/client"
)

var (
	_ resource.ResourceWithConfigure      = (*snapshotPolicyResource)(nil)
	_ resource.ResourceWithImportState    = (*snapshotPolicyResource)(nil)
	_ resource.ResourceWithValidateConfig = (*snapshotPolicyResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*snapshotPolicyResource)(nil)
)

// NewSnapshotPolicyResource is the flink_snapshot_policy resource.
func NewSnapshotPolicyResource() resource.Resource { return &snapshotPolicyResource{} }

type snapshotPolicyResource struct{ client *client.Client }

type snapshotPolicyModel struct {
	ID            types.String `tfsdk:"id"`
	DeploymentID  types.String `tfsdk:"deployment_id"`
	Schedule      types.Object `tfsdk:"schedule"`
	Cleanup       types.Object `tfsdk:"cleanup"`
	NextFireTimes types.List   `tfsdk:"next_fire_times"`
}

type scheduleModel struct {
	Enabled  types.Bool   `tfsdk:"enabled"`
	Cron     types.String `tfsdk:"cron"`
	TimeZone types.String `tfsdk:"time_zone"`
}

type cleanupModel struct {
	Enabled   types.Bool   `tfsdk:"enabled"`
	KeepCount types.Int64  `tfsdk:"keep_count"`
	MaxAge    types.String `tfsdk:"max_age"`
}

var (
	scheduleAttrTypes = map[string]attr.Type{"enabled": types.BoolType, "cron": types.StringType, "time_zone": types.StringType}
	cleanupAttrTypes  = map[string]attr.Type{"enabled": types.BoolType, "keep_count": types.Int64Type, "max_age": types.StringType}
)

func (r *snapshotPolicyResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_snapshot_policy"
}

func (r *snapshotPolicyResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A deployment's snapshot policy: a cron schedule that takes snapshots (origin " +
			"`AUTO_TRIGGERED`) while the job runs, and a cleanup rule that deletes old automatic snapshots while the job " +
			"runs and when it starts. Manual snapshots (`flink_job_snapshot`) are never cleaned up, and the newest " +
			"completed snapshot is always kept. One policy per deployment. Import with the deployment id: " +
			"`terraform import flink_snapshot_policy.x <deployment_id>`.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The deployment id (a policy belongs to exactly one deployment).",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"deployment_id": schema.StringAttribute{
				MarkdownDescription: "Id of the deployment the policy applies to. Changing it replaces the policy.",
				Required:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"schedule": schema.SingleNestedAttribute{
				MarkdownDescription: "Scheduled creation of snapshots. Left out: no scheduled snapshots.",
				Optional:            true,
				Attributes: map[string]schema.Attribute{
					"enabled": schema.BoolAttribute{MarkdownDescription: "Whether the schedule fires. Defaults to `true`.",
						Optional: true, Computed: true, Default: booldefault.StaticBool(true)},
					"cron": schema.StringAttribute{
						MarkdownDescription: "5-field cron `minute hour day-of-month month day-of-week` (day-of-week 1 = Monday " +
							"... 7 = Sunday or MON-SUN; `* , - /`; `a/b` starts at a and steps by b; `?` is not allowed; when " +
							"day-of-month and day-of-week are both restricted either one matches). Snapshots are taken at most " +
							"every 10 minutes: a schedule that fires more often is warned about at plan time and fires at the " +
							"first match at least 10 minutes after the previous snapshot. Try one with `provider::flink::cron_next`.",
						Required:   true,
						Validators: []validator.String{cronValidator{}},
					},
					"time_zone": schema.StringAttribute{
						MarkdownDescription: "IANA time zone the cron is evaluated in, such as `Europe/Berlin`. Defaults to `UTC`. " +
							"A wall time skipped by a DST change does not fire; a repeated one fires once.",
						Optional: true, Computed: true, Default: stringdefault.StaticString("UTC"),
						Validators: []validator.String{timeZoneValidator{}},
					},
				},
			},
			"cleanup": schema.SingleNestedAttribute{
				MarkdownDescription: "Automatic deletion of old `AUTO_TRIGGERED` snapshots: one is deleted when more than " +
					"`keep_count` exist or when it is older than `max_age`. Left out: nothing is cleaned up.",
				Optional: true,
				Attributes: map[string]schema.Attribute{
					"enabled": schema.BoolAttribute{MarkdownDescription: "Whether cleanup runs. Defaults to `true`.",
						Optional: true, Computed: true, Default: booldefault.StaticBool(true)},
					"keep_count": schema.Int64Attribute{MarkdownDescription: "How many automatic snapshots to keep (at least 1).",
						Required: true, Validators: []validator.Int64{int64validator.AtLeast(1)}},
					"max_age": schema.StringAttribute{MarkdownDescription: "Maximum age of an automatic snapshot, a Go duration " +
						"such as `168h`. Left out: no age limit.",
						Optional: true, Validators: []validator.String{durationValidator{}}},
				},
			},
			"next_fire_times": schema.ListAttribute{
				MarkdownDescription: "The next (up to 5) times the schedule fires, RFC 3339 in UTC, as the engine computes " +
					"them (10-minute floor applied). Refreshed on every read; it moves with time and never causes a change.",
				Computed: true, ElementType: types.StringType,
			},
		},
	}
}

func (r *snapshotPolicyResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clientFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (r *snapshotPolicyResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m snapshotPolicyModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if !resp.Diagnostics.HasError() && m.Schedule.IsNull() && m.Cleanup.IsNull() {
		resp.Diagnostics.AddAttributeError(path.Root("schedule"), "Empty snapshot policy",
			"Set schedule = { cron = \"...\" }, cleanup = { keep_count = N }, or both.")
	}
}

func policyFromModel(ctx context.Context, m snapshotPolicyModel, diags *diag.Diagnostics) api.SnapshotPolicy {
	out := api.SnapshotPolicy{DeploymentID: m.DeploymentID.ValueString(), Schedule: api.Schedule{TimeZone: "UTC"}}
	if !m.Schedule.IsNull() {
		var s scheduleModel
		diags.Append(m.Schedule.As(ctx, &s, objectAsLenient)...)
		out.Schedule = api.Schedule{Enabled: s.Enabled.ValueBool(), Cron: s.Cron.ValueString(), TimeZone: stringOr(s.TimeZone, "UTC")}
	}
	if !m.Cleanup.IsNull() {
		var c cleanupModel
		diags.Append(m.Cleanup.As(ctx, &c, objectAsLenient)...)
		out.Cleanup = api.Cleanup{Enabled: c.Enabled.ValueBool(), KeepCount: int(c.KeepCount.ValueInt64()), MaxAge: parseDuration(c.MaxAge)}
	}
	return out
}

// policyState writes the engine's policy into m. A part the user left out and the engine holds as
// empty stays null; max_age keeps the user's spelling.
func policyState(ctx context.Context, m *snapshotPolicyModel, p api.SnapshotPolicy, diags *diag.Diagnostics) {
	m.ID = types.StringValue(p.DeploymentID)
	m.DeploymentID = types.StringValue(p.DeploymentID)
	m.NextFireTimes = timeList(p.NextFireTimes)
	if p.Schedule.Cron == "" && !p.Schedule.Enabled && m.Schedule.IsNull() {
		m.Schedule = types.ObjectNull(scheduleAttrTypes)
	} else {
		m.Schedule = types.ObjectValueMust(scheduleAttrTypes, map[string]attr.Value{
			"enabled": types.BoolValue(p.Schedule.Enabled), "cron": types.StringValue(p.Schedule.Cron),
			"time_zone": types.StringValue(stringOr(types.StringValue(p.Schedule.TimeZone), "UTC"))})
	}
	if p.Cleanup == (api.Cleanup{}) && m.Cleanup.IsNull() {
		m.Cleanup = types.ObjectNull(cleanupAttrTypes)
		return
	}
	var prior cleanupModel
	if !m.Cleanup.IsNull() && !m.Cleanup.IsUnknown() {
		diags.Append(m.Cleanup.As(ctx, &prior, objectAsLenient)...)
	}
	m.Cleanup = types.ObjectValueMust(cleanupAttrTypes, map[string]attr.Value{
		"enabled": types.BoolValue(p.Cleanup.Enabled), "keep_count": types.Int64Value(int64(p.Cleanup.KeepCount)),
		"max_age": keepDuration(prior.MaxAge, p.Cleanup.MaxAge)})
}

// put sends the planned policy and returns the state to record and the engine's new version.
func (r *snapshotPolicyResource) put(ctx context.Context, plan snapshotPolicyModel, version int64, what string,
	diags *diag.Diagnostics) (snapshotPolicyModel, int64, bool) {
	in := policyFromModel(ctx, plan, diags)
	in.Version = version
	in.CreateOnly = version == 0 // a create: refuse to take over a policy that exists
	if diags.HasError() {
		return plan, 0, false
	}
	out, err := r.client.PutSnapshotPolicy(ctx, in.DeploymentID, in)
	if isAlreadyExists(err) {
		// Our own PUT retried after its answer was lost is replayed by its Idempotency-Key, never seen
		// here: this policy is somebody else's.
		addAlreadyExists(diags, "flink_snapshot_policy", in.DeploymentID, err)
		return plan, 0, false
	}
	if err != nil {
		addClientError(diags, what, err)
		return plan, 0, false
	}
	policyState(ctx, &plan, out, diags)
	return plan, out.Version, !diags.HasError()
}

func (r *snapshotPolicyResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan snapshotPolicyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	state, version, ok := r.put(ctx, plan, 0, "Creating flink_snapshot_policy of deployment "+plan.DeploymentID.ValueString(), &resp.Diagnostics)
	if ok {
		resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
		resp.Diagnostics.Append(writeVersion(ctx, resp.Private, version)...)
	}
}

func (r *snapshotPolicyResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state snapshotPolicyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	p, err := r.client.GetSnapshotPolicy(ctx, state.ID.ValueString())
	if client.IsNotFound(err) {
		removeGone(ctx, resp, "flink_snapshot_policy", state.ID.ValueString())
		return
	}
	if err != nil {
		addClientError(&resp.Diagnostics, "Reading flink_snapshot_policy "+state.ID.ValueString(), err)
		return
	}
	policyState(ctx, &state, p, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
	resp.Diagnostics.Append(writeVersion(ctx, resp.Private, p.Version)...)
}

func (r *snapshotPolicyResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan snapshotPolicyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	version, diags := readVersion(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	planned := plan.NextFireTimes
	state, version, ok := r.put(ctx, plan, version, "Updating flink_snapshot_policy of deployment "+plan.DeploymentID.ValueString(), &resp.Diagnostics)
	if ok {
		if !planned.IsUnknown() {
			state.NextFireTimes = planned // as planned; a fire since the plan shows at the next refresh
		}
		resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
		resp.Diagnostics.Append(writeVersion(ctx, resp.Private, version)...)
	}
}

func (r *snapshotPolicyResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state snapshotPolicyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if err := r.client.DeleteSnapshotPolicy(ctx, state.ID.ValueString()); err != nil && !client.IsNotFound(err) {
		addClientError(&resp.Diagnostics, "Deleting flink_snapshot_policy "+state.ID.ValueString(), err)
	}
}

func (r *snapshotPolicyResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resource.ImportStatePassthroughID(ctx, path.Root("id"), req, resp)
}
