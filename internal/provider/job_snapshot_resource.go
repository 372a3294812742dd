package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/client"
)

var (
	_ resource.ResourceWithConfigure   = (*jobSnapshotResource)(nil)
	_ resource.ResourceWithImportState = (*jobSnapshotResource)(nil)
)

// NewJobSnapshotResource is the flink_job_snapshot resource.
func NewJobSnapshotResource() resource.Resource { return &jobSnapshotResource{} }

type jobSnapshotResource struct{ client *client.Client }

type jobSnapshotModel struct {
	ID           types.String   `tfsdk:"id"`
	DeploymentID types.String   `tfsdk:"deployment_id"`
	Format       types.String   `tfsdk:"format"`
	Description  types.String   `tfsdk:"description"`
	Status       types.String   `tfsdk:"status"`
	Origin       types.String   `tfsdk:"origin"`
	Location     types.String   `tfsdk:"location"`
	SizeBytes    types.Int64    `tfsdk:"size_bytes"`
	CreatedAt    types.String   `tfsdk:"created_at"`
	CompletedAt  types.String   `tfsdk:"completed_at"`
	Timeouts     timeouts.Value `tfsdk:"timeouts"`
}

func (r *jobSnapshotResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_job_snapshot"
}

func (r *jobSnapshotResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	computed := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{MarkdownDescription: desc, Computed: true, PlanModifiers: keep}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A job snapshot (savepoint) of a **running** deployment, taken on create. Apply waits " +
			"until it is `COMPLETED`; a snapshot that fails is deleted and reported as an error. Every argument " +
			"forces a new snapshot. It stays until destroyed: cleanup rules never delete manual snapshots. A " +
			"snapshot deleted outside Terraform leaves the state on refresh. Use it to restore another deployment " +
			"(`restore = { kind = \"FROM_SAVEPOINT\", snapshot_id = flink_job_snapshot.x.id }`). Import with the " +
			"snapshot id: `terraform import flink_job_snapshot.x <snapshot_id>`.",
		Attributes: map[string]schema.Attribute{
			"id": idAttribute("snapshot"),
			"deployment_id": schema.StringAttribute{
				MarkdownDescription: "Id of the deployment whose running job is snapshotted.",
				Required:            true, PlanModifiers: replace,
			},
			"format": schema.StringAttribute{
				MarkdownDescription: "`CANONICAL` (default; portable across state backends) or `NATIVE` (faster, backend-specific).",
				Optional:            true, Computed: true, PlanModifiers: replace,
				Default:    stringdefault.StaticString(api.FormatCanonical),
				Validators: []validator.String{stringvalidator.OneOf(api.FormatCanonical, api.FormatNative)},
			},
			"description": schema.StringAttribute{
				MarkdownDescription: "Free text describing the snapshot.",
				Optional:            true, PlanModifiers: replace,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"status":       computed("`COMPLETED` once taken (`DELETING` while a delete runs)."),
			"origin":       computed("Who made it: `USER_REQUEST` for this resource."),
			"location":     computed("Where the snapshot's files are."),
			"created_at":   computed("When the snapshot was requested (RFC 3339)."),
			"completed_at": computed("When it completed (RFC 3339)."),
			"size_bytes": schema.Int64Attribute{MarkdownDescription: "Size of the snapshot's files in bytes.",
				Computed: true, PlanModifiers: []planmodifier.Int64{int64planmodifier.UseStateForUnknown()}},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Delete: true}),
		},
	}
}

func (r *jobSnapshotResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clientFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func snapshotState(s api.Snapshot, t timeouts.Value) jobSnapshotModel {
	return jobSnapshotModel{
		ID: types.StringValue(s.ID), DeploymentID: types.StringValue(s.DeploymentID),
		Format: types.StringValue(s.Format), Description: stringOrNull(s.Description),
		Status: types.StringValue(s.Status), Origin: types.StringValue(s.Origin), Location: stringOrNull(s.Location),
		SizeBytes: types.Int64Value(s.SizeBytes), CreatedAt: timeString(s.CreatedAt),
		CompletedAt: timePtrString(s.CompletedAt), Timeouts: t,
	}
}

func (r *jobSnapshotResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan jobSnapshotModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, defaultSnapshotTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withNamedTimeout(ctx, "timeouts.create", timeout)
	defer cancel()
	depID := plan.DeploymentID.ValueString()
	what := "Creating flink_job_snapshot of deployment " + depID
	// The client sends one Idempotency-Key for this call and reuses it on retries: one snapshot at most.
	snap, err := r.client.CreateSnapshot(ctx, depID, api.SnapshotRequest{Format: plan.Format.ValueString(),
		Description: plan.Description.ValueString()})
	if client.HasCode(err, api.CodeJobNotRunning) {
		resp.Diagnostics.AddAttributeError(path.Root("deployment_id"), what+" failed",
			explain(err)+" A snapshot can only be taken of a running job: set desired_state = \"RUNNING\" on the "+
				"deployment (and reference it, so it starts first).")
		return
	}
	if err != nil {
		addTimedError(ctx, &resp.Diagnostics, what, err)
		return
	}
	done, err := r.client.WaitForSnapshot(ctx, snap.ID)
	if err != nil && done.Status == api.SnapshotFailed {
		// Nothing half-made stays behind: the failed record goes, and the error says why it failed.
		cleanup := context.WithoutCancel(ctx)
		if _, derr := r.client.DeleteSnapshot(cleanup, snap.ID); derr != nil && !client.IsNotFound(derr) {
			err = fmt.Errorf("%w (deleting the failed snapshot %s also failed: %v)", err, snap.ID, derr)
		}
		addTimedError(ctx, &resp.Diagnostics, what, err)
		return
	}
	if err != nil {
		// Still running when the time ran out: keep it tracked (tainted) so the next apply replaces it.
		resp.Diagnostics.Append(resp.State.Set(ctx, snapshotState(snap, plan.Timeouts))...)
		addTimedError(ctx, &resp.Diagnostics, what, err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, snapshotState(done, plan.Timeouts))...)
}

func (r *jobSnapshotResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state jobSnapshotModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	snap, err := r.client.GetSnapshot(ctx, state.ID.ValueString())
	if client.IsNotFound(err) {
		removeGone(ctx, resp, "flink_job_snapshot", state.ID.ValueString())
		return
	}
	if err != nil {
		addClientError(&resp.Diagnostics, "Reading flink_job_snapshot "+state.ID.ValueString(), err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, snapshotState(snap, state.Timeouts))...)
}

// Update only ever sees a change of `timeouts`: every other argument forces a new snapshot.
func (r *jobSnapshotResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state jobSnapshotModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	state.Timeouts = plan.Timeouts
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

func (r *jobSnapshotResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state jobSnapshotModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := state.Timeouts.Delete(ctx, defaultSnapshotTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := withNamedTimeout(ctx, "timeouts.delete", timeout)
	defer cancel()
	id := state.ID.ValueString()
	pending, err := r.client.DeleteSnapshot(ctx, id)
	if err == nil && pending != nil {
		err = r.client.WaitForSnapshotDeleted(ctx, id)
	}
	if err != nil && !client.IsNotFound(err) {
		addTimedError(ctx, &resp.Diagnostics, "Deleting flink_job_snapshot "+id, err)
	}
}

func (r *jobSnapshotResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resource.ImportStatePassthroughID(ctx, path.Root("id"), req, resp)
}
