// Command benchnoop is a Terraform provider plugin that does nothing: the baseline BenchmarkPlanSnapshots
// measures flink_job_snapshot against. It is built with the same plugin framework and protocol as the
// real provider. noop_thing keeps what it is given (an input and an id), so a plan over N of them costs
// only Terraform, the plugin protocol and the framework. noop_snapshot_shape has flink_job_snapshot's
// very schema (attributes, defaults, validators, plan modifiers, timeouts block) and does nothing either:
// the difference between the two is what the schema's size costs in Terraform and the framework, and
// whatever flink_job_snapshot takes beyond noop_snapshot_shape is the provider's own work (its engine
// calls and conversions). It is no product: only the benchmark builds it.
package main

import (
	"context"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	flinkprovider "github.com/streamstate/terraform-provider-flink/internal/provider"
)

// Address is where the benchmark's dev_overrides point Terraform at this binary.
const Address = "registry.terraform.io/streamstate/noop"

func main() {
	// Quiet like the real provider, so both sides of the ratio pay the same framework logging.
	flinkprovider.QuietUnseenLogs()
	if err := providerserver.Serve(context.Background(), func() provider.Provider { return noopProvider{} },
		providerserver.ServeOpts{Address: Address}); err != nil {
		log.Fatal(err)
	}
}

type noopProvider struct{}

func (noopProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "noop"
}

func (noopProvider) Schema(context.Context, provider.SchemaRequest, *provider.SchemaResponse) {}

func (noopProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}

func (noopProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		func() resource.Resource { return thing{} },
		func() resource.Resource { return snapshotShape{flinkprovider.NewJobSnapshotResource()} },
	}
}

func (noopProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }

// thing is noop_thing: an input kept as given and a computed id.
type thing struct{}

type thingModel struct {
	ID    types.String `tfsdk:"id"`
	Input types.String `tfsdk:"input"`
}

func (thing) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_thing"
}

func (thing) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{Attributes: map[string]schema.Attribute{
		"id":    schema.StringAttribute{Computed: true},
		"input": schema.StringAttribute{Optional: true},
	}}
}

func (thing) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m thingModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	m.ID = types.StringValue("noop")
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}

// Read keeps the state as it is: the refresh costs the protocol round trip and nothing else.
func (thing) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

func (thing) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var m thingModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}

func (thing) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}

// snapshotShape borrows flink_job_snapshot's Schema and nothing else.
type snapshotShape struct{ real resource.Resource }

func (s snapshotShape) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_snapshot_shape"
}

func (s snapshotShape) Schema(ctx context.Context, req resource.SchemaRequest, resp *resource.SchemaResponse) {
	s.real.Schema(ctx, req, resp)
}

// Create stores the plan, with what is still unknown (the computed attributes) set to null.
func (snapshotShape) Create(_ context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	raw, err := tftypes.Transform(req.Plan.Raw, func(_ *tftypes.AttributePath, v tftypes.Value) (tftypes.Value, error) {
		if !v.IsKnown() {
			return tftypes.NewValue(v.Type(), nil), nil
		}
		return v, nil
	})
	if err != nil {
		resp.Diagnostics.AddError("noop_snapshot_shape", err.Error())
		return
	}
	resp.State.Raw = raw
}

func (snapshotShape) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

func (snapshotShape) Update(_ context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.State.Raw = req.Plan.Raw
}

func (snapshotShape) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}
