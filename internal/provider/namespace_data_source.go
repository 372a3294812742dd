package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/streamstate/terraform-provider-flink/internal/client"
)

var _ datasource.DataSourceWithConfigure = (*namespaceDataSource)(nil)

// NewNamespaceDataSource is the flink_namespace data source.
func NewNamespaceDataSource() datasource.DataSource { return &namespaceDataSource{} }

type namespaceDataSource struct{ client *client.Client }

type namespaceDataModel struct {
	ID          types.String `tfsdk:"id"`
	WorkspaceID types.String `tfsdk:"workspace_id"`
	Name        types.String `tfsdk:"name"`
	LockedBy    types.String `tfsdk:"locked_by"`
	CreatedAt   types.String `tfsdk:"created_at"`
}

func (d *namespaceDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_namespace"
}

func (d *namespaceDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	nonEmpty := []validator.String{stringvalidator.LengthAtLeast(1)}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up a namespace of a workspace by name.",
		Attributes: map[string]schema.Attribute{
			"workspace_id": schema.StringAttribute{MarkdownDescription: "Id of the workspace to look in.",
				Required: true, Validators: nonEmpty},
			"name": schema.StringAttribute{MarkdownDescription: "Name of the namespace.",
				Required: true, Validators: nonEmpty},
			"id": schema.StringAttribute{MarkdownDescription: "The engine's id of the namespace.", Computed: true},
			"locked_by": schema.StringAttribute{
				MarkdownDescription: "Id of the clone task that holds the namespace right now; empty when none.",
				Computed:            true},
			"created_at": schema.StringAttribute{MarkdownDescription: "Creation time (RFC 3339).", Computed: true},
		},
	}
}

func (d *namespaceDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = clientFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (d *namespaceDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg namespaceDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ns, err := d.client.FindNamespace(ctx, cfg.WorkspaceID.ValueString(), cfg.Name.ValueString())
	if err != nil {
		summary := "Looking up flink_namespace " + cfg.Name.ValueString()
		if client.IsNotFound(err) {
			// Which one is missing: the workspace, or the namespace in it?
			if _, werr := d.client.GetWorkspace(ctx, cfg.WorkspaceID.ValueString()); client.IsNotFound(werr) {
				resp.Diagnostics.AddAttributeError(path.Root("workspace_id"), summary+" failed", "There is no workspace "+
					"with id "+cfg.WorkspaceID.ValueString()+" (or the token's user may not see it): check workspace_id.")
				return
			}
			resp.Diagnostics.AddAttributeError(path.Root("name"), summary+" failed", "There is no namespace named "+
				cfg.Name.ValueString()+" in workspace "+cfg.WorkspaceID.ValueString()+": check the name.")
			return
		}
		addClientError(&resp.Diagnostics, summary, err)
		return
	}
	cfg.ID = types.StringValue(ns.ID)
	cfg.LockedBy = types.StringValue(ns.LockedBy)
	cfg.CreatedAt = types.StringValue(ns.CreatedAt.UTC().Format(time.RFC3339))
	resp.Diagnostics.Append(resp.State.Set(ctx, cfg)...)
}
