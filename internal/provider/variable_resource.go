package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
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
	_ resource.ResourceWithConfigure      = (*variableResource)(nil)
	_ resource.ResourceWithImportState    = (*variableResource)(nil)
	_ resource.ResourceWithValidateConfig = (*variableResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*variableResource)(nil)
)

// NewVariableResource is the flink_variable resource.
func NewVariableResource() resource.Resource { return &variableResource{} }

type variableResource struct{ client *client.Client }

type variableModel struct {
	ID          types.String `tfsdk:"id"`
	NamespaceID types.String `tfsdk:"namespace_id"`
	Name        types.String `tfsdk:"name"`
	Value       types.String `tfsdk:"value"`
	Kind        types.String `tfsdk:"kind"`
	// ValueWO is always null here: a write-only value lives only in the configuration (writeOnlyValue).
	ValueWO        types.String `tfsdk:"value_wo"`
	ValueWOVersion types.Int64  `tfsdk:"value_wo_version"`
}

func (r *variableResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_variable"
}

func (r *variableResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	nonEmpty := []validator.String{stringvalidator.LengthAtLeast(1)}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A namespace variable that job code references as `${secret_values.<name>}`. Import " +
			"with the variable id: `terraform import flink_variable.x <variable_id>`; an `ENCRYPTED` value is never " +
			"returned by the engine, so after an import `value` stays empty until the next apply sets it. " +
			"`-generate-config-out` writes `value = null` for either kind, which keeps the value the engine holds. " +
			"An `ENCRYPTED` value can be given write-only (`value_wo`, Terraform 1.11 or later), so that it is in " +
			"neither the plan nor the state.",
		Attributes: map[string]schema.Attribute{
			"id": idAttribute("variable"),
			"namespace_id": schema.StringAttribute{
				MarkdownDescription: "Id of the namespace. Changing it replaces the variable.",
				Required:            true, Validators: nonEmpty, PlanModifiers: replace,
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "Name, unique in the namespace: letters, digits, `.`, `_` and `-`, at most 128 bytes. Changing it replaces the variable.",
				Required:            true, Validators: []validator.String{identifierName}, PlanModifiers: replace,
			},
			"value": schema.StringAttribute{
				MarkdownDescription: "The value, needed to create the variable unless `value_wo` is set. Updated in " +
					"place. Left out of an existing variable (as `-generate-config-out` writes it, `value = null`), the " +
					"value the engine holds is kept. For `ENCRYPTED` variables the engine never returns it, so a change " +
					"made outside Terraform is not detected.",
				Optional:      true,
				Computed:      true,
				Sensitive:     true,
				PlanModifiers: []planmodifier.String{keepWhenUnset{}},
			},
			"value_wo": writeOnlySecret("The value of an `ENCRYPTED` variable, instead of `value`.",
				path.MatchRoot("value")),
			"value_wo_version": writeOnlyVersion(path.MatchRoot("value_wo")),
			"kind": schema.StringAttribute{
				MarkdownDescription: "`PLAIN` (default) or `ENCRYPTED` (encrypted at rest, never returned). Changing it " +
					"replaces the variable.",
				Optional:      true,
				Computed:      true,
				Default:       stringdefault.StaticString(api.VariablePlain),
				Validators:    []validator.String{stringvalidator.OneOf(api.VariablePlain, api.VariableEncrypted)},
				PlanModifiers: replace,
			},
		},
	}
}

// ValidateConfig: a write-only value is for ENCRYPTED variables (a PLAIN one is read back into the state).
func (r *variableResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m variableModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	wo := writeOnlyValue(ctx, req.Config, path.Root("value_wo"), &resp.Diagnostics)
	if resp.Diagnostics.HasError() || wo.IsNull() || m.Kind.IsUnknown() {
		return
	}
	if m.Kind.ValueString() != api.VariableEncrypted {
		resp.Diagnostics.AddAttributeError(path.Root("value_wo"), "value_wo needs kind = \"ENCRYPTED\"",
			"A PLAIN variable's value is read back into the state, so it cannot be write-only: set "+
				"kind = \"ENCRYPTED\", or use value instead of value_wo.")
	}
}

// ModifyPlan refuses, at plan time, to create a variable without a value.
func (r *variableResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if !req.State.Raw.IsNull() || req.Plan.Raw.IsNull() {
		return
	}
	var value types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("value"), &value)...)
	wo := writeOnlyValue(ctx, req.Config, path.Root("value_wo"), &resp.Diagnostics)
	if value.IsNull() && wo.IsNull() {
		resp.Diagnostics.AddAttributeError(path.Root("value"), "Missing value",
			"A new flink_variable needs its value: set value (or value_wo, with kind = \"ENCRYPTED\").")
	}
}

func (r *variableResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clientFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (r *variableResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan variableModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	spec, known := variableSpec(ctx, plan, req.Config, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	obj, err := r.client.CreateVariable(ctx, plan.NamespaceID.ValueString(), plan.Name.ValueString(), spec)
	if err != nil {
		addClientError(&resp.Diagnostics, "Creating flink_variable "+plan.Name.ValueString(), err)
		return
	}
	r.setState(ctx, obj, known, plan.ValueWOVersion, resp.State.Set, resp.Private, &resp.Diagnostics)
}

func (r *variableResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state variableModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	obj, err := r.client.GetObject(ctx, state.ID.ValueString())
	if client.IsNotFound(err) {
		removeGone(ctx, resp, "flink_variable", state.ID.ValueString())
		return
	}
	if err != nil {
		addClientError(&resp.Diagnostics, "Reading flink_variable "+state.ID.ValueString(), err)
		return
	}
	if !checkObjectKind(&resp.Diagnostics, "flink_variable", api.KindVariable, obj) {
		return
	}
	r.setState(ctx, obj, state.Value, state.ValueWOVersion, resp.State.Set, resp.Private, &resp.Diagnostics)
}

func (r *variableResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan variableModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	version, diags := readVersion(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	spec, known := variableSpec(ctx, plan, req.Config, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	obj, err := r.client.UpdateVariable(ctx, plan.ID.ValueString(), plan.Name.ValueString(), spec, version)
	if err != nil {
		addClientError(&resp.Diagnostics, "Updating flink_variable "+plan.Name.ValueString(), err)
		return
	}
	r.setState(ctx, obj, known, plan.ValueWOVersion, resp.State.Set, resp.Private, &resp.Diagnostics)
}

func (r *variableResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state variableModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if err := r.client.DeleteObject(ctx, state.ID.ValueString()); err != nil && !client.IsNotFound(err) {
		addClientError(&resp.Diagnostics, "Deleting flink_variable "+state.Name.ValueString(), err)
	}
}

func (r *variableResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importObjectOfKind(ctx, r.client, "flink_variable", api.KindVariable, req, resp)
}

// variableSpec is what the engine gets, and the value the state may keep: the write-only value when the
// configuration has one (the state then keeps none), else value.
func variableSpec(ctx context.Context, m variableModel, config tfsdk.Config, diags *diag.Diagnostics) (api.VariableSpec, types.String) {
	if wo := writeOnlyValue(ctx, config, path.Root("value_wo"), diags); !wo.IsNull() {
		return api.VariableSpec{Kind: m.Kind.ValueString(), Value: wo.ValueString()}, types.StringNull()
	}
	return api.VariableSpec{Kind: m.Kind.ValueString(), Value: m.Value.ValueString()}, m.Value
}

// setState writes the engine's view of a variable. A PLAIN value comes from the engine (drift shows); an
// ENCRYPTED one is never returned, so the value Terraform knows is kept and no drift is reported for it.
func (r *variableResource) setState(ctx context.Context, obj api.Object, knownValue types.String, woVersion types.Int64,
	set func(context.Context, any) diag.Diagnostics, private privateSetter, diags *diag.Diagnostics) {
	spec, err := client.DecodeSpec[api.VariableSpec](obj)
	if err != nil {
		diags.AddError("Reading flink_variable "+obj.Name+" failed", err.Error())
		return
	}
	value := types.StringValue(spec.Value)
	if spec.Kind == api.VariableEncrypted {
		value = knownValue
	}
	diags.Append(set(ctx, variableModel{
		ID:             types.StringValue(obj.ID),
		NamespaceID:    types.StringValue(obj.NamespaceID),
		Name:           types.StringValue(obj.Name),
		Value:          value,
		Kind:           types.StringValue(spec.Kind),
		ValueWO:        types.StringNull(),
		ValueWOVersion: woVersion,
	})...)
	diags.Append(writeVersion(ctx, private, obj.Version)...)
}
