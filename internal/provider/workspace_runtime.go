package provider

import (
	"context"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/streamstate/terraform-provider-flink/internal/api"
)

var httpURLPattern = regexp.MustCompile(`^https?://[^/\s]+`)

type runtimeModel struct {
	Type          types.String `tfsdk:"type"`
	RESTURL       types.String `tfsdk:"rest_url"`
	SQLGatewayURL types.String `tfsdk:"sql_gateway_url"`
}

var runtimeAttrTypes = map[string]attr.Type{"type": types.StringType, "rest_url": types.StringType, "sql_gateway_url": types.StringType}

func localRuntime() types.Object {
	return types.ObjectValueMust(runtimeAttrTypes, map[string]attr.Value{
		"type": types.StringValue(api.RuntimeLocal), "rest_url": types.StringNull(), "sql_gateway_url": types.StringNull()})
}

func runtimeSchema() schema.SingleNestedAttribute {
	url := []validator.String{stringvalidator.RegexMatches(httpURLPattern, "must be an http:// or https:// URL")}
	return schema.SingleNestedAttribute{
		MarkdownDescription: "Where the workspace's jobs run. `{ type = \"local\" }` (the default) is the engine's " +
			"embedded **simulation**: jobs write real checkpoint and snapshot files but run no SQL and no JAR. " +
			"`{ type = \"flink\", rest_url, sql_gateway_url }` runs them on an Apache Flink session cluster. The engine " +
			"reaches both URLs and reads the cluster's version when the workspace is written; changing the runtime of a " +
			"workspace with running jobs is refused.",
		Optional: true,
		Computed: true,
		Default:  objectdefault.StaticValue(localRuntime()),
		Attributes: map[string]schema.Attribute{
			"type": schema.StringAttribute{
				MarkdownDescription: "`local` or `flink`.",
				Required:            true,
				Validators:          []validator.String{stringvalidator.OneOf(api.RuntimeLocal, api.RuntimeFlink)},
			},
			"rest_url": schema.StringAttribute{
				MarkdownDescription: "The JobManager REST endpoint (`flink` only), e.g. `http://flink-jobmanager:8081`.",
				Optional:            true, Validators: url,
			},
			"sql_gateway_url": schema.StringAttribute{
				MarkdownDescription: "The SQL Gateway REST endpoint (`flink` only), e.g. `http://flink-sql-gateway:8083`.",
				Optional:            true, Validators: url,
			},
		},
	}
}

// validateRuntime checks at plan time which fields go with which runtime type.
func validateRuntime(ctx context.Context, obj types.Object, diags *diag.Diagnostics) {
	if obj.IsNull() || obj.IsUnknown() {
		return
	}
	var m runtimeModel
	if d := obj.As(ctx, &m, basetypes.ObjectAsOptions{}); d.HasError() {
		diags.Append(d...)
		return
	}
	switch m.Type.ValueString() {
	case api.RuntimeFlink:
		for name, v := range map[string]types.String{"rest_url": m.RESTURL, "sql_gateway_url": m.SQLGatewayURL} {
			if v.IsNull() {
				diags.AddAttributeError(path.Root("runtime").AtName(name), "Missing "+name,
					"A flink runtime needs runtime."+name+": the "+map[string]string{"rest_url": "JobManager REST", "sql_gateway_url": "SQL Gateway REST"}[name]+" endpoint of the session cluster.")
			}
		}
	case api.RuntimeLocal:
		for name, v := range map[string]types.String{"rest_url": m.RESTURL, "sql_gateway_url": m.SQLGatewayURL} {
			if !v.IsNull() && !v.IsUnknown() {
				diags.AddAttributeError(path.Root("runtime").AtName(name), "runtime."+name+" needs type = \"flink\"",
					"The local runtime is the engine's embedded simulation and takes no "+name+": remove it, or set runtime.type = \"flink\".")
			}
		}
	}
}

func runtimeToAPI(ctx context.Context, obj types.Object, diags *diag.Diagnostics) api.Runtime {
	if obj.IsNull() || obj.IsUnknown() {
		return api.Runtime{Type: api.RuntimeLocal}
	}
	var m runtimeModel
	diags.Append(obj.As(ctx, &m, basetypes.ObjectAsOptions{})...)
	return api.Runtime{Type: m.Type.ValueString(), RESTURL: m.RESTURL.ValueString(), SQLGatewayURL: m.SQLGatewayURL.ValueString()}
}

func runtimeFromAPI(r api.Runtime) types.Object {
	if r.Type == "" {
		r.Type = api.RuntimeLocal
	}
	return types.ObjectValueMust(runtimeAttrTypes, map[string]attr.Value{
		"type": types.StringValue(r.Type), "rest_url": stringOrNull(r.RESTURL), "sql_gateway_url": stringOrNull(r.SQLGatewayURL)})
}

// flinkVersionFollowsRuntime keeps flink_version from state unless the runtime changes (then the engine
// reads the new cluster's version), so plans stay quiet.
type flinkVersionFollowsRuntime struct{}

func (flinkVersionFollowsRuntime) Description(context.Context) string {
	return "keeps the known Flink version unless the runtime changes"
}
func (m flinkVersionFollowsRuntime) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (flinkVersionFollowsRuntime) PlanModifyString(ctx context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.State.Raw.IsNull() || !req.PlanValue.IsUnknown() {
		return
	}
	var planned, current types.Object
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("runtime"), &planned)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("runtime"), &current)...)
	if planned.Equal(current) {
		resp.PlanValue = req.StateValue
	}
}
