package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/streamstate/terraform-provider-flink/internal/api"
)

// nameValidator applies one of the engine's naming rules (internal/api) at plan time, so a name the
// engine would refuse fails `terraform plan` instead of the apply.
type nameValidator struct {
	what  string
	check func(string) error
}

var (
	displayName    = nameValidator{"a display name", api.ValidateDisplayName}
	identifierName = nameValidator{"a name (letters, digits, '.', '_', '-')", api.ValidateIdentifierName}
	userName       = nameValidator{"a user name (letters, digits, '.', '_', '@', '-')", api.ValidateUserName}
)

var _ validator.String = nameValidator{}

func (v nameValidator) Description(context.Context) string {
	return "must be " + v.what + " of at most 128 bytes, without control characters or leading and trailing spaces"
}

func (v nameValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v nameValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := v.check(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid name", err.Error())
	}
}
