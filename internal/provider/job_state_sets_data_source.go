package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/client"
)

var _ datasource.DataSourceWithConfigure = (*jobStateSetsDataSource)(nil)

// NewJobStateSetsDataSource is the flink_job_state_sets data source.
func NewJobStateSetsDataSource() datasource.DataSource { return &jobStateSetsDataSource{} }

type jobStateSetsDataSource struct{ client *client.Client }

type jobStateSetsModel struct {
	DeploymentID types.String `tfsdk:"deployment_id"`
	Overview     types.Object `tfsdk:"overview"`
	Checkpoints  types.List   `tfsdk:"checkpoints"`
	Snapshots    types.List   `tfsdk:"snapshots"`
}

var (
	checkpointMarkType = types.ObjectType{AttrTypes: map[string]attr.Type{"id": types.StringType, "time": types.StringType,
		"duration_ms": types.Int64Type, "full_size_bytes": types.Int64Type, "failure": types.StringType}}
	snapshotMarkType = types.ObjectType{AttrTypes: map[string]attr.Type{"id": types.StringType, "time": types.StringType,
		"duration_ms": types.Int64Type, "failure": types.StringType}}
	overviewType = types.ObjectType{AttrTypes: map[string]attr.Type{
		"last_checkpoint": checkpointMarkType, "last_failed_checkpoint": checkpointMarkType,
		"last_snapshot": snapshotMarkType, "last_failed_snapshot": snapshotMarkType,
		"checkpoint_count": types.Int64Type, "snapshot_count": types.Int64Type, "retained_checkpoints_bytes": types.Int64Type}}
	checkpointEntryType = types.ObjectType{AttrTypes: map[string]attr.Type{"id": types.StringType, "job_id": types.StringType,
		"sequence": types.Int64Type, "status": types.StringType, "failure": types.StringType, "location": types.StringType,
		"incremental": types.BoolType, "size_bytes": types.Int64Type, "full_size_bytes": types.Int64Type,
		"duration_ms": types.Int64Type, "started_at": types.StringType, "completed_at": types.StringType}}
	snapshotEntryType = types.ObjectType{AttrTypes: map[string]attr.Type{"id": types.StringType, "job_id": types.StringType,
		"format": types.StringType, "description": types.StringType, "origin": types.StringType, "status": types.StringType,
		"failure": types.StringType, "location": types.StringType, "size_bytes": types.Int64Type,
		"created_at": types.StringType, "completed_at": types.StringType}}
)

func (d *jobStateSetsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_job_state_sets"
}

func markAttrs(checkpoint bool) map[string]schema.Attribute {
	a := map[string]schema.Attribute{
		"id":          schema.StringAttribute{MarkdownDescription: "Id.", Computed: true},
		"time":        schema.StringAttribute{MarkdownDescription: "Completion (or failure) time, RFC 3339.", Computed: true},
		"duration_ms": schema.Int64Attribute{MarkdownDescription: "How long it took, in milliseconds.", Computed: true},
		"failure":     schema.StringAttribute{MarkdownDescription: "Why it failed (failed ones only).", Computed: true},
	}
	if checkpoint {
		a["full_size_bytes"] = schema.Int64Attribute{MarkdownDescription: "Full size in bytes, shared files included.", Computed: true}
	}
	return a
}

func computedAttrs(t types.ObjectType) map[string]schema.Attribute {
	out := map[string]schema.Attribute{}
	for name, typ := range t.AttrTypes {
		desc := "The `" + name + "` of the entry (times are RFC 3339)."
		switch typ {
		case types.Int64Type:
			out[name] = schema.Int64Attribute{MarkdownDescription: desc, Computed: true}
		case types.BoolType:
			out[name] = schema.BoolAttribute{MarkdownDescription: desc, Computed: true}
		default:
			out[name] = schema.StringAttribute{MarkdownDescription: desc, Computed: true}
		}
	}
	return out
}

func (d *jobStateSetsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	mark := func(desc string, checkpoint bool) schema.SingleNestedAttribute {
		return schema.SingleNestedAttribute{MarkdownDescription: desc, Computed: true, Attributes: markAttrs(checkpoint)}
	}
	num := func(desc string) schema.Int64Attribute {
		return schema.Int64Attribute{MarkdownDescription: desc, Computed: true}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "The state sets of a deployment: the overview (last successful and last failed checkpoint " +
			"and snapshot), its system checkpoints and its job snapshots (manual, scheduled, taken on stop, copied by a clone).",
		Attributes: map[string]schema.Attribute{
			"deployment_id": schema.StringAttribute{MarkdownDescription: "Id of the deployment.", Required: true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)}},
			"overview": schema.SingleNestedAttribute{
				MarkdownDescription: "The state-set overview.",
				Computed:            true,
				Attributes: map[string]schema.Attribute{
					"last_checkpoint":            mark("Last successful checkpoint; null when none.", true),
					"last_failed_checkpoint":     mark("Last failed checkpoint; null when none.", true),
					"last_snapshot":              mark("Last successful snapshot; null when none.", false),
					"last_failed_snapshot":       mark("Last failed snapshot; null when none.", false),
					"checkpoint_count":           num("Checkpoints recorded."),
					"snapshot_count":             num("Snapshots recorded."),
					"retained_checkpoints_bytes": num("Bytes held by retained checkpoints."),
				},
			},
			"checkpoints": schema.ListNestedAttribute{MarkdownDescription: "System checkpoints (read-only).", Computed: true,
				NestedObject: schema.NestedAttributeObject{Attributes: computedAttrs(checkpointEntryType)}},
			"snapshots": schema.ListNestedAttribute{MarkdownDescription: "Job snapshots of the deployment.", Computed: true,
				NestedObject: schema.NestedAttributeObject{Attributes: computedAttrs(snapshotEntryType)}},
		},
	}
}

func (d *jobStateSetsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = clientFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (d *jobStateSetsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m jobStateSetsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := m.DeploymentID.ValueString()
	what := "Reading the state sets of deployment " + id
	ov, err := d.client.GetStateOverview(ctx, id)
	var cps []api.Checkpoint
	var snaps []api.Snapshot
	if err == nil {
		cps, err = d.client.ListCheckpoints(ctx, id)
	}
	if err == nil {
		snaps, err = d.client.ListSnapshots(ctx, client.SnapshotFilter{DeploymentID: id})
	}
	if err != nil {
		addClientError(&resp.Diagnostics, what, err)
		return
	}
	m.Overview = types.ObjectValueMust(overviewType.AttrTypes, map[string]attr.Value{
		"last_checkpoint": checkpointMark(ov.LastCheckpoint), "last_failed_checkpoint": checkpointMark(ov.LastFailedCheckpoint),
		"last_snapshot": snapshotMark(ov.LastSnapshot), "last_failed_snapshot": snapshotMark(ov.LastFailedSnapshot),
		"checkpoint_count": types.Int64Value(int64(ov.CheckpointCount)), "snapshot_count": types.Int64Value(int64(ov.SnapshotCount)),
		"retained_checkpoints_bytes": types.Int64Value(ov.RetainedCheckpointsBytes)})
	cpVals := make([]attr.Value, len(cps))
	for i, c := range cps {
		cpVals[i] = types.ObjectValueMust(checkpointEntryType.AttrTypes, map[string]attr.Value{
			"id": types.StringValue(c.ID), "job_id": types.StringValue(c.JobID), "sequence": types.Int64Value(c.Sequence),
			"status": types.StringValue(c.Status), "failure": stringOrNull(c.Failure), "location": stringOrNull(c.Location),
			"incremental": types.BoolValue(c.Incremental), "size_bytes": types.Int64Value(c.SizeBytes),
			"full_size_bytes": types.Int64Value(c.FullSizeByte), "duration_ms": types.Int64Value(c.DurationMS),
			"started_at": timeString(c.StartedAt), "completed_at": timePtrString(c.CompletedAt)})
	}
	m.Checkpoints = types.ListValueMust(checkpointEntryType, cpVals)
	snapVals := make([]attr.Value, len(snaps))
	for i, s := range snaps {
		snapVals[i] = types.ObjectValueMust(snapshotEntryType.AttrTypes, map[string]attr.Value{
			"id": types.StringValue(s.ID), "job_id": stringOrNull(s.JobID), "format": types.StringValue(s.Format),
			"description": stringOrNull(s.Description), "origin": types.StringValue(s.Origin), "status": types.StringValue(s.Status),
			"failure": stringOrNull(s.Failure), "location": stringOrNull(s.Location), "size_bytes": types.Int64Value(s.SizeBytes),
			"created_at": timeString(s.CreatedAt), "completed_at": timePtrString(s.CompletedAt)})
	}
	m.Snapshots = types.ListValueMust(snapshotEntryType, snapVals)
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}

func checkpointMark(c *api.CheckpointMark) types.Object {
	if c == nil {
		return types.ObjectNull(checkpointMarkType.AttrTypes)
	}
	return types.ObjectValueMust(checkpointMarkType.AttrTypes, map[string]attr.Value{"id": types.StringValue(c.ID),
		"time": timeString(c.Time), "duration_ms": types.Int64Value(c.DurationMS),
		"full_size_bytes": types.Int64Value(c.FullSizeBytes), "failure": stringOrNull(c.Failure)})
}

func snapshotMark(s *api.SnapshotMark) types.Object {
	if s == nil {
		return types.ObjectNull(snapshotMarkType.AttrTypes)
	}
	return types.ObjectValueMust(snapshotMarkType.AttrTypes, map[string]attr.Value{"id": types.StringValue(s.ID),
		"time": timeString(s.Time), "duration_ms": types.Int64Value(s.DurationMS), "failure": stringOrNull(s.Failure)})
}
