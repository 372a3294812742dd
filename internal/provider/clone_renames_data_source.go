package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/streamstate/terraform-provider-flink/internal/client"
)

var _ datasource.DataSourceWithConfigure = (*cloneRenamesDataSource)(nil)

// NewCloneRenamesDataSource is the flink_clone_renames data source.
func NewCloneRenamesDataSource() datasource.DataSource { return &cloneRenamesDataSource{} }

type cloneRenamesDataSource struct{ client *client.Client }

type cloneRenamesModel struct {
	CloneID types.String `tfsdk:"clone_id"`
	Renames types.List   `tfsdk:"renames"`
}

func (d *cloneRenamesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_clone_renames"
}

func (d *cloneRenamesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	str := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{MarkdownDescription: desc, Computed: true}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "The rename list of a clone: every object that got a new name in the target because its " +
			"name was taken there. Works for any clone in the history, managed by Terraform or not.",
		Attributes: map[string]schema.Attribute{
			"clone_id": schema.StringAttribute{MarkdownDescription: "Id of the clone (from `flink_namespace_clone` or `flink_clone_history`).",
				Required: true, Validators: []validator.String{stringvalidator.LengthAtLeast(1)}},
			"renames": schema.ListNestedAttribute{
				MarkdownDescription: "The renames, in the order the clone made them.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"kind":        str("Object kind, as in `objects` (`deployments`, `variables`, ...)."),
					"source_name": str("Name in the source namespace."),
					"target_name": str("Name it got in the target."),
				}},
			},
		},
	}
}

func (d *cloneRenamesDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = clientFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (d *cloneRenamesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m cloneRenamesModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	renames, err := d.client.ListCloneRenames(ctx, m.CloneID.ValueString())
	if err != nil {
		addClientError(&resp.Diagnostics, "Reading the renames of clone "+m.CloneID.ValueString(), err)
		return
	}
	m.Renames = renameList(renames)
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}
