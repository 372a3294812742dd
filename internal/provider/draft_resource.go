package provider

import (
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/client"
)

// NewDraftResource is the flink_draft resource.
func NewDraftResource() resource.Resource {
	return newObjectResource[draftModel](objectKind[draftModel]{
		typeName: "draft", kind: api.KindDraft,
		description: "A job draft of a namespace: SQL under development, not yet a deployment. Every change is kept " +
			"as a new version of the draft; a namespace clone copies the latest version only, with catalog names " +
			"rewritten by its `catalog_mapping`.",
		attributes: map[string]schema.Attribute{
			"type": schema.StringAttribute{
				MarkdownDescription: "`SQL` (default), `JAR` or `PYTHON`. Updated in place.",
				Optional:            true, Computed: true, Default: stringdefault.StaticString(api.DeploymentSQL),
				Validators: []validator.String{stringvalidator.OneOf(api.DeploymentSQL, api.DeploymentJAR, api.DeploymentPython)},
			},
			"engine_version": optionalEngineVersion("Engine version the draft targets, such as `flink-1.20` or `vvr-8.0.9-flink-1.17`. Updated in place."),
			"sql": schema.StringAttribute{
				MarkdownDescription: "The draft's SQL text. Updated in place (a new version of the draft).",
				Optional:            true,
			},
		},
		spec: func(m *draftModel) any {
			return api.DraftSpec{Type: m.Type.ValueString(), EngineVersion: m.EngineVersion.ValueString(), SQL: m.SQL.ValueString()}
		},
		read: func(o api.Object, m *draftModel) error {
			d, err := client.DecodeSpec[api.DraftSpec](o)
			m.Type, m.EngineVersion, m.SQL = types.StringValue(d.Type), stringOrNull(d.EngineVersion), stringOrNull(d.SQL)
			return err
		},
	})
}

type draftModel struct {
	objectBase
	Type          types.String `tfsdk:"type"`
	EngineVersion types.String `tfsdk:"engine_version"`
	SQL           types.String `tfsdk:"sql"`
}
