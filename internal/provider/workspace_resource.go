package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/client"
)

var (
	_ resource.ResourceWithConfigure      = (*workspaceResource)(nil)
	_ resource.ResourceWithImportState    = (*workspaceResource)(nil)
	_ resource.ResourceWithValidateConfig = (*workspaceResource)(nil)
)

// NewWorkspaceResource is the flink_workspace resource.
func NewWorkspaceResource() resource.Resource { return &workspaceResource{} }

type workspaceResource struct{ client *client.Client }

type workspaceModel struct {
	ID           types.String `tfsdk:"id"`
	Name         types.String `tfsdk:"name"`
	Region       types.String `tfsdk:"region"`
	Architecture types.String `tfsdk:"architecture"`
	Storage      types.Object `tfsdk:"storage"`
	Runtime      types.Object `tfsdk:"runtime"`
	FlinkVersion types.String `tfsdk:"flink_version"`
	CloneEnabled types.Bool   `tfsdk:"clone_enabled"`
	Owner        types.String `tfsdk:"owner"`
	// The storage secret, write-only: always null here (read it with writeOnlyValue from the config).
	StorageSecretWO        types.String `tfsdk:"storage_secret_access_key_wo"`
	StorageSecretWOVersion types.Int64  `tfsdk:"storage_secret_access_key_wo_version"`
}

func (r *workspaceResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_workspace"
}

func (r *workspaceResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A workspace groups namespaces that share a region, an architecture and a state " +
			"storage. Import with the workspace id: `terraform import flink_workspace.x <workspace_id>` (the storage " +
			"`secret_access_key` is not imported: the engine never returns it).",
		Attributes: map[string]schema.Attribute{
			"id": idAttribute("workspace"),
			"name": schema.StringAttribute{
				MarkdownDescription: "Display name of the workspace (at most 128 bytes, no control characters, no leading or trailing spaces).",
				Required:            true,
				Validators:          []validator.String{displayName},
			},
			"region": schema.StringAttribute{
				MarkdownDescription: "Region of the workspace, e.g. `cn-hangzhou`. Clones only go between namespaces " +
					"of one region. Changing it replaces the workspace.",
				Required:      true,
				Validators:    []validator.String{stringvalidator.LengthAtLeast(1)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"architecture": schema.StringAttribute{
				MarkdownDescription: "CPU architecture: `x86_64` (default) or `arm64`. Clones only go between namespaces " +
					"of one architecture. Changing it replaces the workspace.",
				Optional:      true,
				Computed:      true,
				Default:       stringdefault.StaticString(api.ArchX86),
				Validators:    []validator.String{stringvalidator.OneOf(api.ArchX86, api.ArchARM64)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"storage": storageSchema(),
			// Top level, not inside storage: storage is Computed (it defaults to managed), and the framework
			// allows no write-only attribute inside a computed one.
			"storage_secret_access_key_wo": writeOnlySecret("Secret access key of an `oss` storage bucket, instead "+
				"of `storage.secret_access_key`.", path.MatchRoot("storage").AtName("secret_access_key")),
			"storage_secret_access_key_wo_version": writeOnlyVersion(path.MatchRoot("storage_secret_access_key_wo")),
			"runtime":                              runtimeSchema(),
			"flink_version": schema.StringAttribute{
				MarkdownDescription: "The Flink version the cluster of a `flink` runtime reports (for example `1.20.1`); empty for `local`.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{flinkVersionFollowsRuntime{}},
			},
			"clone_enabled": schema.BoolAttribute{
				MarkdownDescription: "Whether namespaces of this workspace may take part in namespace clones. Only the " +
					"workspace `owner` (or the admin) may change it. Defaults to `false`.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
			},
			"owner": schema.StringAttribute{
				MarkdownDescription: "User who owns the workspace: the only one (besides the admin) who may switch " +
					"`clone_enabled`, rename it and create namespaces in it. Only the engine admin creates workspaces, " +
					"sets the owner and changes `storage`. Defaults to the caller (the admin).",
				Optional:      true,
				Computed:      true,
				Validators:    []validator.String{stringvalidator.LengthBetween(1, 128)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
		},
	}
}

func (r *workspaceResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clientFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (r *workspaceResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var storage, rt types.Object
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("storage"), &storage)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("runtime"), &rt)...)
	wo := writeOnlyValue(ctx, req.Config, path.Root("storage_secret_access_key_wo"), &resp.Diagnostics)
	if !resp.Diagnostics.HasError() {
		validateStorage(ctx, storage, wo, &resp.Diagnostics)
		validateRuntime(ctx, rt, &resp.Diagnostics)
	}
}

func (r *workspaceResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan workspaceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	in := workspaceInput(ctx, plan, req.Config, 0, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	ws, err := r.client.CreateWorkspace(ctx, in)
	if err != nil {
		addClientError(&resp.Diagnostics, "Creating flink_workspace "+in.Name, err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, workspaceState(ws, secretOf(ctx, plan.Storage), plan.StorageSecretWOVersion))...)
	resp.Diagnostics.Append(writeVersion(ctx, resp.Private, ws.Version)...)
}

func (r *workspaceResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state workspaceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ws, err := r.client.GetWorkspace(ctx, state.ID.ValueString())
	if client.IsNotFound(err) {
		removeGone(ctx, resp, "flink_workspace", state.ID.ValueString())
		return
	}
	if err != nil {
		addClientError(&resp.Diagnostics, "Reading flink_workspace "+state.ID.ValueString(), err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, workspaceState(ws, secretOf(ctx, state.Storage), state.StorageSecretWOVersion))...)
	resp.Diagnostics.Append(writeVersion(ctx, resp.Private, ws.Version)...)
}

func (r *workspaceResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan workspaceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	version, diags := readVersion(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	in := workspaceInput(ctx, plan, req.Config, version, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	ws, err := r.client.UpdateWorkspace(ctx, plan.ID.ValueString(), in)
	if err != nil {
		addClientError(&resp.Diagnostics, "Updating flink_workspace "+plan.ID.ValueString(), err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, workspaceState(ws, secretOf(ctx, plan.Storage), plan.StorageSecretWOVersion))...)
	resp.Diagnostics.Append(writeVersion(ctx, resp.Private, ws.Version)...)
}

func (r *workspaceResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state workspaceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	err := r.client.DeleteWorkspace(ctx, state.ID.ValueString())
	switch {
	case err == nil, client.IsNotFound(err):
	case client.IsConflict(err):
		resp.Diagnostics.AddError("Deleting flink_workspace "+state.ID.ValueString()+" failed",
			explain(err)+" A workspace that still has namespaces cannot be deleted: destroy its namespaces first.")
	default:
		addClientError(&resp.Diagnostics, "Deleting flink_workspace "+state.ID.ValueString(), err)
	}
}

func (r *workspaceResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resource.ImportStatePassthroughID(ctx, path.Root("id"), req, resp)
}

// workspaceInput is the engine request; the storage secret comes from its write-only argument when set.
func workspaceInput(ctx context.Context, plan workspaceModel, config tfsdk.Config, version int64, diags *diag.Diagnostics) api.WorkspaceInput {
	in := api.WorkspaceInput{Name: plan.Name.ValueString(), Region: plan.Region.ValueString(),
		Architecture: plan.Architecture.ValueString(), Storage: storageToAPI(ctx, plan.Storage, diags),
		Runtime:      runtimeToAPI(ctx, plan.Runtime, diags),
		CloneEnabled: plan.CloneEnabled.ValueBool(), Owner: plan.Owner.ValueString(), Version: version}
	if wo := writeOnlyValue(ctx, config, path.Root("storage_secret_access_key_wo"), diags); !wo.IsNull() {
		in.Storage.SecretAccessKey = wo.ValueString()
	}
	return in
}

func workspaceState(ws api.Workspace, knownSecret types.String, woVersion types.Int64) workspaceModel {
	return workspaceModel{
		ID:                     types.StringValue(ws.ID),
		Name:                   types.StringValue(ws.Name),
		Region:                 types.StringValue(ws.Region),
		Architecture:           types.StringValue(ws.Architecture),
		Storage:                storageFromAPI(ws.Storage, knownSecret),
		Runtime:                runtimeFromAPI(ws.Runtime),
		FlinkVersion:           types.StringValue(ws.Runtime.FlinkVersion),
		CloneEnabled:           types.BoolValue(ws.CloneEnabled),
		Owner:                  types.StringValue(ws.Owner),
		StorageSecretWO:        types.StringNull(),
		StorageSecretWOVersion: woVersion,
	}
}
