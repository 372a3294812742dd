package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// keepStatusAndVersion plans a deployment's status and version as they are when the update cannot move
// them, instead of "(known after apply)" on every change:
//   - version moves only when Update sends a new spec, so it stays when the spec is unchanged (a change
//     of timeouts, stop_strategy or restore, say);
//   - status moves only with a new desired_state (Update starts or stops nothing else; a new spec
//     leaves a running job running), so it stays when desired_state does.
//
// Anything unknown in the plan (a reference to a resource not yet created) leaves the value unknown.
func keepStatusAndVersion(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	var plan, state deploymentModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if fullyKnown(ctx, plan.DesiredState) && plan.DesiredState.ValueString() == state.DesiredState.ValueString() {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("status"), state.Status)...)
	}
	if !fullyKnown(ctx, plan.Name, plan.Type, plan.ExecutionMode, plan.EngineVersion, plan.SQL, plan.Jar,
		plan.FlinkConfiguration, plan.Checkpoint, plan.Parallelism) {
		return
	}
	var scratch diag.Diagnostics // specs of a valid plan and state always build
	if plan.Name.ValueString() == state.Name.ValueString() &&
		specsEqual(specFromModel(ctx, plan, &scratch), specFromModel(ctx, state, &scratch)) && !scratch.HasError() {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("version"), state.Version)...)
	}
}

// fullyKnown reports that no value (nor anything nested in it) is unknown.
func fullyKnown(ctx context.Context, values ...attr.Value) bool {
	for _, v := range values {
		tv, err := v.ToTerraformValue(ctx)
		if err != nil || !tv.IsFullyKnown() {
			return false
		}
	}
	return true
}
