package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/client"
)

var _ datasource.DataSourceWithConfigure = (*deploymentDataSource)(nil)

// NewDeploymentDataSource is the flink_deployment data source: it finds deployments Terraform does not
// manage, such as the copies a namespace clone made.
func NewDeploymentDataSource() datasource.DataSource { return &deploymentDataSource{} }

type deploymentDataSource struct{ client *client.Client }

type deploymentDataModel struct {
	ID            types.String `tfsdk:"id"`
	NamespaceID   types.String `tfsdk:"namespace_id"`
	Name          types.String `tfsdk:"name"`
	Type          types.String `tfsdk:"type"`
	EngineVersion types.String `tfsdk:"engine_version"`
	Status        types.String `tfsdk:"status"`
	RestorePoint  types.String `tfsdk:"restore_point"`
	CloneID       types.String `tfsdk:"clone_id"`
	ClonedFrom    types.String `tfsdk:"cloned_from"`
	Version       types.Int64  `tfsdk:"version"`
}

func (d *deploymentDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_deployment"
}

func (d *deploymentDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	nonEmpty := []validator.String{stringvalidator.LengthAtLeast(1)}
	computed := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{MarkdownDescription: desc, Computed: true}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up a deployment of a namespace by name — for example the stopped copy of a job " +
			"that a `flink_namespace_clone` made, to read its state sets or restore point.",
		Attributes: map[string]schema.Attribute{
			"namespace_id": schema.StringAttribute{MarkdownDescription: "Id of the namespace to look in.",
				Required: true, Validators: nonEmpty},
			"name":           schema.StringAttribute{MarkdownDescription: "Name of the deployment.", Required: true, Validators: nonEmpty},
			"id":             computed("The engine's id of the deployment."),
			"type":           computed("`SQL`, `JAR` or `PYTHON`."),
			"engine_version": computed("Engine version, such as `vvr-8.0.9-flink-1.17`."),
			"status":         computed("Status of its latest job (`RUNNING`, `CANCELLED`, ...), or `CREATED` when it never ran."),
			"restore_point": computed("Id of the snapshot a start with `LATEST_STATE` uses when the deployment has no " +
				"state of its own: a stateful clone sets it to the snapshot it copied (origin `COPIED`)."),
			"clone_id":    computed("Id of the clone task that created this deployment; empty otherwise."),
			"cloned_from": computed("Id of the source deployment it was cloned from; empty otherwise."),
			"version":     schema.Int64Attribute{MarkdownDescription: "Version of its configuration.", Computed: true},
		},
	}
}

func (d *deploymentDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = clientFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (d *deploymentDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg deploymentDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	summary := "Looking up flink_deployment " + cfg.Name.ValueString()
	objs, err := d.client.ListObjects(ctx, cfg.NamespaceID.ValueString(), api.KindDeployment, cfg.Name.ValueString())
	if err != nil {
		addClientError(&resp.Diagnostics, summary, err)
		return
	}
	if len(objs) == 0 {
		resp.Diagnostics.AddError(summary+" failed", "There is no deployment named "+cfg.Name.ValueString()+
			" in namespace "+cfg.NamespaceID.ValueString()+": check the name and namespace_id (a clone may have renamed it: "+
			"see flink_clone_renames).")
		return
	}
	obj := objs[0]
	spec, err := client.DecodeSpec[api.DeploymentSpec](obj)
	if err != nil {
		addClientError(&resp.Diagnostics, summary, err)
		return
	}
	cfg.ID = types.StringValue(obj.ID)
	cfg.Type = types.StringValue(spec.Type)
	cfg.EngineVersion = types.StringValue(spec.EngineVersion)
	cfg.Status = types.StringValue(obj.Status)
	cfg.RestorePoint = types.StringValue(spec.RestorePoint)
	cfg.CloneID = types.StringValue(obj.CloneID)
	cfg.ClonedFrom = types.StringValue(obj.ClonedFrom)
	cfg.Version = types.Int64Value(obj.Version)
	resp.Diagnostics.Append(resp.State.Set(ctx, cfg)...)
}
