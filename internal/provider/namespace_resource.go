package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/client"
)

var (
	_ resource.ResourceWithConfigure   = (*namespaceResource)(nil)
	_ resource.ResourceWithImportState = (*namespaceResource)(nil)
)

// NewNamespaceResource is the flink_namespace resource.
func NewNamespaceResource() resource.Resource { return &namespaceResource{} }

type namespaceResource struct{ client *client.Client }

type namespaceModel struct {
	ID           types.String `tfsdk:"id"`
	WorkspaceID  types.String `tfsdk:"workspace_id"`
	Name         types.String `tfsdk:"name"`
	ForceDestroy types.Bool   `tfsdk:"force_destroy"`
}

func (r *namespaceResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_namespace"
}

func (r *namespaceResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A namespace inside a workspace: it holds drafts, deployments, variables and the other " +
			"objects, and is the unit of a namespace clone. The creator becomes its OWNER. Import with the namespace " +
			"id: `terraform import flink_namespace.x <namespace_id>` (`force_destroy` is then `false`).",
		Attributes: map[string]schema.Attribute{
			"id": idAttribute("namespace"),
			"workspace_id": schema.StringAttribute{
				MarkdownDescription: "Id of the workspace (`flink_workspace.x.id`). Changing it replaces the namespace.",
				Required:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "Name, unique in the workspace: letters, digits, `.`, `_` and `-`, starting with a letter or digit, at most 128 bytes. Changing it replaces the namespace.",
				Required:            true,
				Validators:          []validator.String{identifierName},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"force_destroy": schema.BoolAttribute{
				MarkdownDescription: "When `true`, destroying the namespace also stops and deletes every object in it, " +
					"including objects Terraform does not manage (a clone's results, say). When `false` (the default) " +
					"destroying a namespace that still holds objects fails and lists what is inside. Set it and apply " +
					"before the destroy: the value in state is the one used.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
			},
		},
	}
}

func (r *namespaceResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clientFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (r *namespaceResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan namespaceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ns, err := r.client.CreateNamespace(ctx, plan.WorkspaceID.ValueString(), api.NamespaceInput{Name: plan.Name.ValueString()})
	if err != nil {
		addClientError(&resp.Diagnostics, "Creating flink_namespace "+plan.Name.ValueString(), err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, namespaceState(ns, plan.ForceDestroy))...)
}

func (r *namespaceResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state namespaceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ns, err := r.client.GetNamespace(ctx, state.ID.ValueString())
	if client.IsNotFound(err) {
		removeGone(ctx, resp, "flink_namespace", state.ID.ValueString())
		return
	}
	if err != nil {
		addClientError(&resp.Diagnostics, "Reading flink_namespace "+state.ID.ValueString(), err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, namespaceState(ns, state.ForceDestroy))...)
}

// Update only ever changes force_destroy, which lives in Terraform state alone.
func (r *namespaceResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan namespaceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if !resp.Diagnostics.HasError() {
		resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
	}
}

func (r *namespaceResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state namespaceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := state.ID.ValueString()
	err := r.client.DeleteNamespace(ctx, id, state.ForceDestroy.ValueBool())
	switch {
	case err == nil, client.IsNotFound(err):
	case client.HasCode(err, api.CodeNamespaceNotEmpty):
		e, _ := client.AsError(err)
		inside := e.CountsSummary()
		if inside == "" {
			inside = "objects"
		}
		resp.Diagnostics.AddError("Namespace "+state.Name.ValueString()+" is not empty",
			"Namespace "+state.Name.ValueString()+" ("+id+") still holds "+inside+" that this configuration does "+
				"not destroy (objects created outside Terraform, such as a clone's results). Move or delete them, or set "+
				"force_destroy = true on the flink_namespace and apply before destroying: that deletes everything inside.")
	default:
		addClientError(&resp.Diagnostics, "Deleting flink_namespace "+state.Name.ValueString(), err)
	}
}

func (r *namespaceResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resource.ImportStatePassthroughID(ctx, path.Root("id"), req, resp)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("force_destroy"), false)...)
}

func namespaceState(ns api.Namespace, forceDestroy types.Bool) namespaceModel {
	if forceDestroy.IsNull() || forceDestroy.IsUnknown() {
		forceDestroy = types.BoolValue(false)
	}
	return namespaceModel{
		ID:           types.StringValue(ns.ID),
		WorkspaceID:  types.StringValue(ns.WorkspaceID),
		Name:         types.StringValue(ns.Name),
		ForceDestroy: forceDestroy,
	}
}
