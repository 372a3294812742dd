package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// With a CLI that allows deferral, an unknown token defers this provider's resources instead of failing.
func TestConfigureDefersAnUnknownToken(t *testing.T) {
	ctx := context.Background()
	p := New("test")()
	var sr provider.SchemaResponse
	p.Schema(ctx, provider.SchemaRequest{}, &sr)
	typ := sr.Schema.Type().TerraformType(ctx).(tftypes.Object)
	vals := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		vals[name] = tftypes.NewValue(at, nil)
	}
	vals["token"] = tftypes.NewValue(tftypes.String, tftypes.UnknownValue)
	cfg := tfsdk.Config{Schema: sr.Schema, Raw: tftypes.NewValue(typ, vals)}
	for _, allowed := range []bool{true, false} {
		var resp provider.ConfigureResponse
		p.Configure(ctx, provider.ConfigureRequest{Config: cfg,
			ClientCapabilities: provider.ConfigureProviderClientCapabilities{DeferralAllowed: allowed}}, &resp)
		switch {
		case allowed && (resp.Deferred == nil || resp.Diagnostics.HasError()):
			t.Fatalf("deferral allowed: want a deferral, got %+v %v", resp.Deferred, resp.Diagnostics)
		case !allowed && (resp.Deferred != nil || !resp.Diagnostics.HasError()):
			t.Fatalf("deferral not allowed: want the two-step error, got %+v %v", resp.Deferred, resp.Diagnostics)
		}
	}
}
