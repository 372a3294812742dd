package provider

import (
	"context"
	"time"

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
	_ resource.ResourceWithConfigure   = (*apiTokenResource)(nil)
	_ resource.ResourceWithImportState = (*apiTokenResource)(nil)
)

// NewAPITokenResource is the flink_api_token resource.
func NewAPITokenResource() resource.Resource { return &apiTokenResource{} }

type apiTokenResource struct{ client *client.Client }

type apiTokenModel struct {
	ID          types.String `tfsdk:"id"`
	User        types.String `tfsdk:"user"`
	Description types.String `tfsdk:"description"`
	Token       types.String `tfsdk:"token"`
	CreatedAt   types.String `tfsdk:"created_at"`
}

func (r *apiTokenResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_api_token"
}

func (r *apiTokenResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	resp.Schema = schema.Schema{
		MarkdownDescription: "An API token for a user; creating the first token of a user creates the user. Needs " +
			"the admin token. A token cannot be changed: any change replaces it (a new secret). Import with the token " +
			"id: `terraform import flink_api_token.x <token_id>`; import gives every attribute except `token`, because " +
			"the engine returns the secret only once, when the token is created.",
		Attributes: map[string]schema.Attribute{
			"id": idAttribute("token"),
			"user": schema.StringAttribute{
				MarkdownDescription: "User the token authenticates as: letters, digits, `.`, `_`, `@` and `-`, at most 128 bytes. Changing it replaces the token.",
				Required:            true,
				Validators:          []validator.String{userName},
				PlanModifiers:       replace,
			},
			"description": schema.StringAttribute{
				MarkdownDescription: "Free text saying what the token is for. Changing it replaces the token.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
				PlanModifiers:       replace,
			},
			"token": schema.StringAttribute{
				MarkdownDescription: "The secret bearer token. Known only to the Terraform run that created it " +
					"(empty after an import).",
				Computed:      true,
				Sensitive:     true,
				PlanModifiers: keep,
			},
			"created_at": schema.StringAttribute{
				MarkdownDescription: "Creation time (RFC 3339).",
				Computed:            true,
				PlanModifiers:       keep,
			},
		},
	}
}

func (r *apiTokenResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clientFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (r *apiTokenResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan apiTokenModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	tok, err := r.client.CreateToken(ctx, api.TokenRequest{User: plan.User.ValueString(), Description: plan.Description.ValueString()})
	if err != nil {
		addClientError(&resp.Diagnostics, "Creating flink_api_token for "+plan.User.ValueString(), err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, tokenState(tok, types.StringValue(tok.Secret)))...)
}

func (r *apiTokenResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state apiTokenModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	tok, err := r.client.GetToken(ctx, state.ID.ValueString())
	if client.IsNotFound(err) {
		removeGone(ctx, resp, "flink_api_token", state.ID.ValueString())
		return
	}
	if err != nil {
		addClientError(&resp.Diagnostics, "Reading flink_api_token "+state.ID.ValueString(), err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, tokenState(tok, state.Token))...)
}

// Update is never called with a change (every argument forces replacement); it keeps the plan.
func (r *apiTokenResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan apiTokenModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if !resp.Diagnostics.HasError() {
		resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
	}
}

func (r *apiTokenResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state apiTokenModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if err := r.client.DeleteToken(ctx, state.ID.ValueString()); err != nil && !client.IsNotFound(err) {
		addClientError(&resp.Diagnostics, "Revoking flink_api_token "+state.ID.ValueString(), err)
	}
}

func (r *apiTokenResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resource.ImportStatePassthroughID(ctx, path.Root("id"), req, resp)
}

// tokenState keeps the secret already known: the engine returns it only from the create call.
func tokenState(t api.Token, secret types.String) apiTokenModel {
	if secret.IsUnknown() || secret.ValueString() == "" {
		secret = types.StringNull()
	}
	return apiTokenModel{
		ID:          types.StringValue(t.ID),
		User:        types.StringValue(t.User),
		Description: stringOrNull(t.Description),
		Token:       secret,
		CreatedAt:   types.StringValue(t.CreatedAt.UTC().Format(time.RFC3339)),
	}
}
