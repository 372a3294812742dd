package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/client"
)

var (
	_ resource.ResourceWithConfigure   = (*namespaceMemberResource)(nil)
	_ resource.ResourceWithImportState = (*namespaceMemberResource)(nil)
)

// NewNamespaceMemberResource is the flink_namespace_member resource.
func NewNamespaceMemberResource() resource.Resource { return &namespaceMemberResource{} }

type namespaceMemberResource struct{ client *client.Client }

type namespaceMemberModel struct {
	ID          types.String `tfsdk:"id"`
	NamespaceID types.String `tfsdk:"namespace_id"`
	User        types.String `tfsdk:"user"`
	Role        types.String `tfsdk:"role"`
}

func (r *namespaceMemberResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_namespace_member"
}

func (r *namespaceMemberResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Grants a user a role on a namespace. Only an OWNER of the namespace (or an admin) may " +
			"manage members. Import with `<namespace_id>/<user>`: " +
			"`terraform import flink_namespace_member.x ns-123/alice`.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "`<namespace_id>/<user>`.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"namespace_id": schema.StringAttribute{
				MarkdownDescription: "Id of the namespace. Changing it replaces the membership.",
				Required:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"user": schema.StringAttribute{
				MarkdownDescription: "User name (the `user` of a `flink_api_token`). Changing it replaces the membership.",
				Required:            true,
				Validators:          []validator.String{userName},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"role": schema.StringAttribute{
				MarkdownDescription: "`VIEWER` (read only), `EDITOR` (change objects, run jobs, clone) or `OWNER` " +
					"(also manage members). Updated in place.",
				Required:   true,
				Validators: []validator.String{stringvalidator.OneOf(api.RoleViewer, api.RoleEditor, api.RoleOwner)},
			},
		},
	}
}

func (r *namespaceMemberResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clientFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (r *namespaceMemberResource) put(ctx context.Context, plan namespaceMemberModel, createOnly bool) (namespaceMemberModel, error) {
	m, err := r.client.PutMember(ctx, plan.NamespaceID.ValueString(), plan.User.ValueString(),
		api.MemberInput{Role: plan.Role.ValueString(), CreateOnly: createOnly})
	return memberState(m), err
}

func (r *namespaceMemberResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan namespaceMemberModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	state, err := r.put(ctx, plan, true)
	if isAlreadyExists(err) {
		addAlreadyExists(&resp.Diagnostics, "flink_namespace_member", plan.NamespaceID.ValueString()+"/"+plan.User.ValueString(), err)
		return
	}
	if err != nil {
		addClientError(&resp.Diagnostics, "Adding "+plan.User.ValueString()+" to namespace "+plan.NamespaceID.ValueString(), err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

func (r *namespaceMemberResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state namespaceMemberModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	m, err := r.client.GetMember(ctx, state.NamespaceID.ValueString(), state.User.ValueString())
	if client.IsNotFound(err) {
		removeGone(ctx, resp, "flink_namespace_member", state.ID.ValueString())
		return
	}
	if err != nil {
		addClientError(&resp.Diagnostics, "Reading flink_namespace_member "+state.ID.ValueString(), err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, memberState(m))...)
}

func (r *namespaceMemberResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan namespaceMemberModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	state, err := r.put(ctx, plan, false)
	if err != nil {
		addClientError(&resp.Diagnostics, "Changing the role of "+plan.User.ValueString(), err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

func (r *namespaceMemberResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state namespaceMemberModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	err := r.client.DeleteMember(ctx, state.NamespaceID.ValueString(), state.User.ValueString())
	if err != nil && !client.IsNotFound(err) {
		addClientError(&resp.Diagnostics, "Removing flink_namespace_member "+state.ID.ValueString(), err)
	}
}

func (r *namespaceMemberResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	nsID, user, ok := strings.Cut(req.ID, "/")
	if !ok || nsID == "" || user == "" {
		resp.Diagnostics.AddError("Invalid import id",
			"flink_namespace_member is imported with \"<namespace_id>/<user>\", e.g. ns-123/alice; got \""+req.ID+"\".")
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("namespace_id"), nsID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("user"), user)...)
}

func memberState(m api.Member) namespaceMemberModel {
	return namespaceMemberModel{
		ID:          types.StringValue(m.NamespaceID + "/" + m.User),
		NamespaceID: types.StringValue(m.NamespaceID),
		User:        types.StringValue(m.User),
		Role:        types.StringValue(m.Role),
	}
}
