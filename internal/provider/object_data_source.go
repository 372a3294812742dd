package provider

import (
	"context"
	"maps"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/client"
)

// objectLookup is the data source that finds an object of one kind by namespace and name, for objects
// Terraform does not manage (made by another configuration, or copied by a clone). Each
// x_data_source.go describes its kind with a lookupKind.
type objectLookup[M any, P objectModel[M]] struct {
	k      lookupKind[M]
	client *client.Client
}

// lookupKind describes one kind to objectLookup.
type lookupKind[M any] struct {
	typeName, kind string
	description    string
	// attributes are the kind's own (all computed), next to id, namespace_id and name.
	attributes map[string]schema.Attribute
	// read sets the kind's own attributes from the engine's object.
	read func(o api.Object, m *M) error
}

var _ datasource.DataSourceWithConfigure = (*objectLookup[catalogModel, *catalogModel])(nil)

func newObjectLookup[M any, P objectModel[M]](k lookupKind[M]) datasource.DataSource {
	return &objectLookup[M, P]{k: k}
}

func (d *objectLookup[M, P]) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + d.k.typeName
}

func (d *objectLookup[M, P]) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	what := singular(d.k.kind)[2:]
	attrs := map[string]schema.Attribute{
		"namespace_id": schema.StringAttribute{MarkdownDescription: "Id of the namespace to look in.",
			Required: true, Validators: []validator.String{stringvalidator.LengthAtLeast(1)}},
		"name": schema.StringAttribute{MarkdownDescription: "Name of the " + what + ".",
			Required: true, Validators: []validator.String{identifierName}},
		"id": schema.StringAttribute{MarkdownDescription: "The engine's id of the " + what + ".", Computed: true},
	}
	maps.Copy(attrs, d.k.attributes)
	resp.Schema = schema.Schema{MarkdownDescription: d.k.description, Attributes: attrs}
}

func (d *objectLookup[M, P]) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = clientFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (d *objectLookup[M, P]) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m M
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	b := P(&m).base()
	summary := "Looking up flink_" + d.k.typeName + " " + b.Name.ValueString()
	objs, err := d.client.ListObjects(ctx, b.NamespaceID.ValueString(), d.k.kind, b.Name.ValueString())
	if err != nil {
		addClientError(&resp.Diagnostics, summary, err)
		return
	}
	if len(objs) == 0 {
		resp.Diagnostics.AddError(summary+" failed", "There is no "+singular(d.k.kind)[2:]+" named "+b.Name.ValueString()+
			" in namespace "+b.NamespaceID.ValueString()+": check the name and namespace_id (a clone may have renamed it: "+
			"see flink_clone_renames).")
		return
	}
	b.ID = types.StringValue(objs[0].ID)
	if err := d.k.read(objs[0], &m); err != nil {
		resp.Diagnostics.AddError(summary+" failed", err.Error())
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
