package provider

import (
	"context"
	"fmt"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/streamstate/terraform-provider-flink/internal/cron"
)

// ModifyPlan keeps policy plans quiet:
//   - next_fire_times is planned as it is unless the schedule changes (a cleanup-only change moved
//     nothing, yet showed the list as removed and "known after apply");
//   - the cron warnings (the 10-minute floor) are given once, at the plan that creates or changes the
//     schedule, and once per expression however many policies share it. They used to come from the
//     validator, which Terraform calls several times per run for every resource: 9 warnings in one apply.
func (r *snapshotPolicyResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	var plan, state snapshotPolicyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if !req.State.Raw.IsNull() {
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	}
	if resp.Diagnostics.HasError() || !fullyKnown(ctx, plan.Schedule) {
		return
	}
	if !req.State.Raw.IsNull() && plan.Schedule.Equal(state.Schedule) {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("next_fire_times"), state.NextFireTimes)...)
		return
	}
	var cronExpr types.String
	resp.Diagnostics.Append(resp.Plan.GetAttribute(ctx, path.Root("schedule").AtName("cron"), &cronExpr)...)
	if cronExpr.IsNull() || !firstCronWarning(cronExpr.ValueString()) {
		return
	}
	if s, err := cron.Parse(cronExpr.ValueString()); err == nil {
		for _, w := range s.Warnings() {
			resp.Diagnostics.AddAttributeWarning(path.Root("schedule").AtName("cron"), "Cron schedule warning",
				fmt.Sprintf("schedule.cron %q %s. (Said once per expression, at the plan that sets it.)", cronExpr.ValueString(), w))
		}
	}
}

// warnedCrons holds the expressions already warned about by this provider process (one Terraform run):
// a warning per expression, not per policy.
var warnedCrons sync.Map

func firstCronWarning(expr string) bool {
	_, seen := warnedCrons.LoadOrStore(expr, true)
	return !seen
}
