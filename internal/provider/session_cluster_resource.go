package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/client"
)

// NewSessionClusterResource is the flink_session_cluster resource.
func NewSessionClusterResource() resource.Resource {
	return newObjectResource[sessionClusterModel](objectKind[sessionClusterModel]{
		typeName: "session_cluster", kind: api.KindSessionCluster,
		description: "A session cluster of a namespace: its engine version, Flink configuration and whether it " +
			"should run. The engine records the cluster and its state; jobs run on the workspace's runtime, so no " +
			"cluster process is started. A namespace clone copies session clusters STOPPED: a copy's `status` is " +
			"`STOPPED` whatever the source's.",
		attributes: map[string]schema.Attribute{
			"engine_version": optionalEngineVersion("Engine version, such as `flink-1.20` or `vvr-8.0.9-flink-1.17`. Updated in place."),
			"desired_state": schema.StringAttribute{
				MarkdownDescription: "`RUNNING` or `STOPPED` (default). Updated in place.",
				Optional:            true, Computed: true, Default: stringdefault.StaticString("STOPPED"),
				Validators: []validator.String{stringvalidator.OneOf("RUNNING", "STOPPED")},
			},
			"flink_configuration": schema.MapAttribute{
				MarkdownDescription: "Flink configuration of the cluster (`key = value`). Updated in place.",
				ElementType:         types.StringType, Optional: true, Computed: true, Default: emptyMapDefault,
			},
			"status": schema.StringAttribute{
				MarkdownDescription: "The cluster's state as the engine reports it: `RUNNING` or `STOPPED`.",
				Computed:            true,
			},
		},
		// The engine's status is the state asked for, at once: planning it keeps "known after apply" out of plans.
		modifyPlan: func(_ context.Context, plan, _ *sessionClusterModel, _ *diag.Diagnostics) {
			if !plan.DesiredState.IsUnknown() {
				plan.Status = plan.DesiredState
			}
		},
		spec: func(m *sessionClusterModel) any {
			return api.SessionClusterSpec{EngineVersion: m.EngineVersion.ValueString(), State: m.DesiredState.ValueString(),
				FlinkConfiguration: stringMap(m.FlinkConfiguration)}
		},
		read: func(o api.Object, m *sessionClusterModel) error {
			s, err := client.DecodeSpec[api.SessionClusterSpec](o)
			m.EngineVersion, m.DesiredState = stringOrNull(s.EngineVersion), types.StringValue(s.State)
			m.FlinkConfiguration = stringMapValue(s.FlinkConfiguration)
			m.Status = types.StringValue(o.Status)
			return err
		},
	})
}

type sessionClusterModel struct {
	objectBase
	EngineVersion      types.String `tfsdk:"engine_version"`
	DesiredState       types.String `tfsdk:"desired_state"`
	FlinkConfiguration types.Map    `tfsdk:"flink_configuration"`
	Status             types.String `tfsdk:"status"`
}
