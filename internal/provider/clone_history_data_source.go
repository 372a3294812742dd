package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/streamstate/terraform-provider-flink/internal/client"
)

var _ datasource.DataSourceWithConfigure = (*cloneHistoryDataSource)(nil)

// NewCloneHistoryDataSource is the flink_clone_history data source.
func NewCloneHistoryDataSource() datasource.DataSource { return &cloneHistoryDataSource{} }

type cloneHistoryDataSource struct{ client *client.Client }

type cloneHistoryModel struct {
	NamespaceID types.String `tfsdk:"namespace_id"`
	Direction   types.String `tfsdk:"direction"`
	Clones      types.List   `tfsdk:"clones"`
}

var cloneEntryType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"id": types.StringType, "source_namespace_id": types.StringType, "target_namespace_id": types.StringType,
	"status": types.StringType, "object_types": stringListType, "total_count": types.Int64Type,
	"failed_count": types.Int64Type, "skipped_count": types.Int64Type, "started_at": types.StringType,
	"finished_at": types.StringType,
}}

func (d *cloneHistoryDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_clone_history"
}

func (d *cloneHistoryDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	str := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{MarkdownDescription: desc, Computed: true}
	}
	num := func(desc string) schema.Int64Attribute {
		return schema.Int64Attribute{MarkdownDescription: desc, Computed: true}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "The clone history of a namespace: every clone task into it (or out of it), newest first, " +
			"including tasks whose `flink_namespace_clone` was destroyed (destroy forgets a task, its history stays).",
		Attributes: map[string]schema.Attribute{
			"namespace_id": schema.StringAttribute{MarkdownDescription: "Id of the namespace.", Required: true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)}},
			"direction": schema.StringAttribute{
				MarkdownDescription: "`target` (default: clones into the namespace), `source` (clones out of it) or `any`.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf(client.DirectionTarget, client.DirectionSource, client.DirectionAny)},
			},
			"clones": schema.ListNestedAttribute{
				MarkdownDescription: "The clone tasks.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":                  str("Clone id (for `flink_clone_renames`)."),
					"source_namespace_id": str("Namespace copied from."),
					"target_namespace_id": str("Namespace copied into."),
					"status":              str("`PENDING`, `RUNNING`, `SUCCEEDED`, `PARTIALLY_SUCCEEDED`, `FAILED` or `CANCELLED`."),
					"object_types": schema.ListAttribute{MarkdownDescription: "Object kinds the clone copied.",
						Computed: true, ElementType: types.StringType},
					"total_count":   num("Objects handled."),
					"failed_count":  num("Objects that failed."),
					"skipped_count": num("Objects skipped."),
					"started_at":    str("When it started (RFC 3339)."),
					"finished_at":   str("When it ended (RFC 3339); null while it runs."),
				}},
			},
		},
	}
}

func (d *cloneHistoryDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = clientFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (d *cloneHistoryDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m cloneHistoryModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	m.Direction = types.StringValue(stringOr(m.Direction, client.DirectionTarget))
	clones, err := d.client.ListClones(ctx, client.CloneFilter{NamespaceID: m.NamespaceID.ValueString(), Direction: m.Direction.ValueString()})
	if err != nil {
		addClientError(&resp.Diagnostics, "Reading the clone history of namespace "+m.NamespaceID.ValueString(), err)
		return
	}
	vals := make([]attr.Value, len(clones))
	for i, c := range clones {
		vals[i] = types.ObjectValueMust(cloneEntryType.AttrTypes, map[string]attr.Value{
			"id": types.StringValue(c.ID), "source_namespace_id": types.StringValue(c.SourceNamespaceID),
			"target_namespace_id": types.StringValue(c.TargetNamespaceID), "status": types.StringValue(c.Status),
			"object_types": stringList(c.ObjectTypes), "total_count": types.Int64Value(int64(c.TotalCount)),
			"failed_count": types.Int64Value(int64(c.FailedCount)), "skipped_count": types.Int64Value(int64(c.SkippedCount)),
			"started_at": timePtrString(c.StartedAt), "finished_at": timePtrString(c.FinishedAt),
		})
	}
	m.Clones = types.ListValueMust(cloneEntryType, vals)
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}
