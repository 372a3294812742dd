package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Write-only arguments (Terraform 1.11 and later, OpenTofu 1.11 and later) carry a secret to the engine
// without putting it in the plan or the state. Terraform cannot tell that a write-only value changed, so
// each has a `<name>_version` beside it: changing the version is what sends the value again. The pair is
// named `<secret>_wo` and `<secret>_wo_version`, as in the AWS provider.

// writeOnlySecret is the schema of `<secret>_wo`: it conflicts with the stored form of the same secret.
func writeOnlySecret(desc string, stored path.Expression) schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: desc + " Write-only (Terraform 1.11 or later, OpenTofu 1.11 or later): never kept in the " +
			"plan or the state. Terraform cannot see it change: change the `_wo_version` beside it to send it again.",
		Optional:   true,
		Sensitive:  true,
		WriteOnly:  true,
		Validators: []validator.String{stringvalidator.LengthAtLeast(1), stringvalidator.ConflictsWith(stored)},
	}
}

// writeOnlyVersion is the schema of `<secret>_wo_version`, which needs its write-only secret.
func writeOnlyVersion(secret path.Expression) schema.Int64Attribute {
	return schema.Int64Attribute{
		MarkdownDescription: "Any number, changed by you whenever the write-only secret beside it changes: a new " +
			"number sends the secret again (updated in place).",
		Optional:   true,
		Validators: []validator.Int64{int64validator.AlsoRequires(secret)},
	}
}

// writeOnlyValue reads a write-only attribute from the configuration (the only place it exists):
// null when not set.
func writeOnlyValue(ctx context.Context, config tfsdk.Config, at path.Path, diags *diag.Diagnostics) types.String {
	var v types.String
	diags.Append(config.GetAttribute(ctx, at, &v)...)
	return v
}

// keepWhenUnset plans an Optional+Computed secret as its state when the configuration leaves it out of
// an existing resource, so `value = null` (what -generate-config-out writes for a sensitive value, or a
// secret moved to its write-only form) keeps what the engine holds and plans no change.
type keepWhenUnset struct{}

var _ planmodifier.String = keepWhenUnset{}

func (keepWhenUnset) Description(context.Context) string {
	return "left out of the configuration of an existing resource, the value in the state is kept"
}

func (m keepWhenUnset) MarkdownDescription(ctx context.Context) string { return m.Description(ctx) }

func (keepWhenUnset) PlanModifyString(_ context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.State.Raw.IsNull() || !req.ConfigValue.IsNull() || req.Plan.Raw.IsNull() {
		return
	}
	resp.PlanValue = req.StateValue
}
