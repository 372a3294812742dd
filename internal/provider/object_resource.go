package provider

import (
	"context"
	"maps"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/client"
)

// The objects of a namespace (catalogs, UDFs, connectors, formats, drafts, session clusters, file
// resources) share one skeleton: objectResource does the CRUD, import, version tracking and kind check
// once, and each x_resource.go describes its kind with an objectKind (its own attributes, and how its
// model maps to the engine's spec and back).

// objectBase holds the attributes every object resource has. A kind's model embeds it.
type objectBase struct {
	ID          types.String `tfsdk:"id"`
	NamespaceID types.String `tfsdk:"namespace_id"`
	Name        types.String `tfsdk:"name"`
}

func (b *objectBase) base() *objectBase { return b }

// objectModel is a kind's model: a struct embedding objectBase, used through a pointer.
type objectModel[M any] interface {
	*M
	base() *objectBase
}

// objectKind describes one object kind to objectResource.
type objectKind[M any] struct {
	// typeName is the resource name without "flink_" ("catalog"); kind is the engine's (api.KindCatalog).
	typeName, kind string
	description    string
	// attributes are the kind's own, next to id, namespace_id and name.
	attributes map[string]schema.Attribute
	blocks     map[string]schema.Block
	// spec turns a plan into the engine's spec (api.GenericSpec, api.DraftSpec, ...).
	spec func(m *M) any
	// read sets the kind's own attributes of m from the engine's object. m holds the prior state or the
	// plan, for what the engine does not return or returns in another form (null vs empty).
	read func(o api.Object, m *M) error
	// refresh, when set, runs on Read before read, for what the object itself does not carry (a file
	// resource's inline content after an import, fetched from the engine).
	refresh func(ctx context.Context, c *client.Client, o api.Object, m *M) error
	// write, when set, replaces the create and update calls (file resources upload their bytes). state is
	// nil on create.
	write func(ctx context.Context, c *client.Client, state, plan *M, version int64) (api.Object, error)
	// validate, when set, checks the configuration at plan time (values may be unknown).
	validate func(ctx context.Context, m *M, diags *diag.Diagnostics)
	// modifyPlan, when set, adjusts a create or update plan (state is nil on create).
	modifyPlan func(ctx context.Context, plan, state *M, diags *diag.Diagnostics)
	// timeout, when set, bounds create and update by the resource's `timeouts`.
	timeout func(ctx context.Context, m *M, create bool) (context.Context, context.CancelFunc, diag.Diagnostics)
}

// objectResource is the resource of one object kind.
type objectResource[M any, P objectModel[M]] struct {
	k      objectKind[M]
	client *client.Client
}

var (
	_ resource.ResourceWithConfigure      = (*objectResource[catalogModel, *catalogModel])(nil)
	_ resource.ResourceWithImportState    = (*objectResource[catalogModel, *catalogModel])(nil)
	_ resource.ResourceWithValidateConfig = (*objectResource[catalogModel, *catalogModel])(nil)
	_ resource.ResourceWithModifyPlan     = (*objectResource[catalogModel, *catalogModel])(nil)
)

func newObjectResource[M any, P objectModel[M]](k objectKind[M]) resource.Resource {
	return &objectResource[M, P]{k: k}
}

func (r *objectResource[M, P]) addr() string { return "flink_" + r.k.typeName }

// what is the kind in prose: "catalog", "session cluster".
func (r *objectResource[M, P]) what() string { return singular(r.k.kind)[2:] }

func (r *objectResource[M, P]) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + r.k.typeName
}

func (r *objectResource[M, P]) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	attrs := map[string]schema.Attribute{
		"id": idAttribute(r.what()),
		"namespace_id": schema.StringAttribute{
			MarkdownDescription: "Id of the namespace. Changing it replaces the " + r.what() + ".",
			Required:            true, Validators: []validator.String{stringvalidator.LengthAtLeast(1)}, PlanModifiers: replace,
		},
		"name": schema.StringAttribute{
			MarkdownDescription: "Name, unique among the namespace's " + r.what() + "s: letters, digits, `.`, `_` and `-`, " +
				"at most 128 bytes. Changing it replaces the " + r.what() + ".",
			Required: true, Validators: []validator.String{identifierName}, PlanModifiers: replace,
		},
	}
	maps.Copy(attrs, r.k.attributes)
	resp.Schema = schema.Schema{
		MarkdownDescription: r.k.description + "\n\nImport takes the " + r.what() + "'s id; an id of another kind of object is refused.",
		Attributes:          attrs,
		Blocks:              r.k.blocks,
	}
}

func (r *objectResource[M, P]) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clientFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (r *objectResource[M, P]) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	if r.k.validate == nil {
		return
	}
	var m M
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if !resp.Diagnostics.HasError() {
		r.k.validate(ctx, &m, &resp.Diagnostics)
	}
}

func (r *objectResource[M, P]) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if r.k.modifyPlan == nil || req.Plan.Raw.IsNull() {
		return // nothing to adjust, or a destroy
	}
	var plan M
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	var state *M
	if !req.State.Raw.IsNull() {
		state = new(M)
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	r.k.modifyPlan(ctx, &plan, state, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

func (r *objectResource[M, P]) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan M
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.save(ctx, nil, &plan, 0, resp.State.Set, resp.Private, &resp.Diagnostics)
}

// save creates (state nil) or updates the object the plan describes, within the kind's timeouts, and
// writes the result to the state.
func (r *objectResource[M, P]) save(ctx context.Context, state, plan *M, version int64,
	set func(context.Context, any) diag.Diagnostics, private privateSetter, diags *diag.Diagnostics) {
	b := P(plan).base()
	summary := "Creating " + r.addr() + " " + b.Name.ValueString()
	if state != nil {
		summary = "Updating " + r.addr() + " " + b.Name.ValueString()
	}
	ctx, cancel, d := r.bound(ctx, plan, state == nil)
	defer cancel()
	if diags.Append(d...); d.HasError() {
		return
	}
	var obj api.Object
	var err error
	switch {
	case r.k.write != nil:
		obj, err = r.k.write(ctx, r.client, state, plan, version)
	case state == nil:
		var in api.ObjectInput
		if in, err = client.ObjectInputFor(b.Name.ValueString(), r.k.spec(plan), 0); err == nil {
			obj, err = r.client.CreateObject(ctx, b.NamespaceID.ValueString(), r.k.kind, in)
		}
	default:
		var in api.ObjectInput
		if in, err = client.ObjectInputFor(b.Name.ValueString(), r.k.spec(plan), version); err == nil {
			obj, err = r.client.UpdateObject(ctx, P(state).base().ID.ValueString(), in)
		}
	}
	if err != nil {
		addClientError(diags, summary, err)
		return
	}
	r.setState(ctx, obj, plan, summary, set, private, diags)
}

func (r *objectResource[M, P]) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state M
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := P(&state).base().ID.ValueString()
	obj, err := r.client.GetObject(ctx, id)
	if client.IsNotFound(err) {
		removeGone(ctx, resp, r.addr(), id)
		return
	}
	if err != nil {
		addClientError(&resp.Diagnostics, "Reading "+r.addr()+" "+id, err)
		return
	}
	if !checkObjectKind(&resp.Diagnostics, r.addr(), r.k.kind, obj) {
		return
	}
	if r.k.refresh != nil {
		if err := r.k.refresh(ctx, r.client, obj, &state); err != nil {
			addClientError(&resp.Diagnostics, "Reading "+r.addr()+" "+id, err)
			return
		}
	}
	r.setState(ctx, obj, &state, "Reading "+r.addr()+" "+id, resp.State.Set, resp.Private, &resp.Diagnostics)
}

func (r *objectResource[M, P]) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state M
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	version, diags := readVersion(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.save(ctx, &state, &plan, version, resp.State.Set, resp.Private, &resp.Diagnostics)
}

func (r *objectResource[M, P]) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state M
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	b := P(&state).base()
	if err := r.client.DeleteObject(ctx, b.ID.ValueString()); err != nil && !client.IsNotFound(err) {
		addClientError(&resp.Diagnostics, "Deleting "+r.addr()+" "+b.Name.ValueString(), err)
	}
}

func (r *objectResource[M, P]) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importObjectOfKind(ctx, r.client, r.addr(), r.k.kind, req, resp)
}

// bound applies the kind's timeouts to a create or update; without them the call is bounded by the
// client's own limits.
func (r *objectResource[M, P]) bound(ctx context.Context, m *M, create bool) (context.Context, context.CancelFunc, diag.Diagnostics) {
	if r.k.timeout == nil {
		return ctx, func() {}, nil
	}
	return r.k.timeout(ctx, m, create)
}

// setState writes the engine's view of an object over m (the plan or the prior state) and keeps its
// version in private state.
func (r *objectResource[M, P]) setState(ctx context.Context, obj api.Object, m *M, summary string,
	set func(context.Context, any) diag.Diagnostics, private privateSetter, diags *diag.Diagnostics) {
	b := P(m).base()
	b.ID, b.NamespaceID, b.Name = types.StringValue(obj.ID), types.StringValue(obj.NamespaceID), types.StringValue(obj.Name)
	if err := r.k.read(obj, m); err != nil {
		diags.AddError(summary+" failed", err.Error())
		return
	}
	diags.Append(set(ctx, m)...)
	diags.Append(writeVersion(ctx, private, obj.Version)...)
}

// singular names a kind in prose with its article: "a catalog", "an UDF" is avoided by the engine's
// plural forms ("udfs" -> "a UDF").
func singular(kind string) string {
	names := map[string]string{api.KindUDF: "a UDF", api.KindDraft: "a draft", api.KindDeployment: "a deployment",
		api.KindFileResource: "a file resource", api.KindCatalog: "a catalog", api.KindConnector: "a connector",
		api.KindFormat: "a format", api.KindVariable: "a variable", api.KindSessionCluster: "a session cluster"}
	if n, ok := names[kind]; ok {
		return n
	}
	return "a " + strings.TrimSuffix(strings.ReplaceAll(kind, "_", " "), "s")
}
