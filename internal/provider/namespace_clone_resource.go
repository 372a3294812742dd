package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/client"
)

var (
	_ resource.ResourceWithConfigure   = (*namespaceCloneResource)(nil)
	_ resource.ResourceWithImportState = (*namespaceCloneResource)(nil)
)

// NewNamespaceCloneResource is the flink_namespace_clone resource.
func NewNamespaceCloneResource() resource.Resource { return &namespaceCloneResource{} }

type namespaceCloneResource struct{ client *client.Client }

func (r *namespaceCloneResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_namespace_clone"
}

func (r *namespaceCloneResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	policy := func(desc, def string, allowed ...string) schema.StringAttribute {
		return schema.StringAttribute{MarkdownDescription: desc, Optional: true, Computed: true, PlanModifiers: replace,
			Default: stringdefault.StaticString(def), Validators: []validator.String{stringvalidator.OneOf(allowed...)}}
	}
	keepStr := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{MarkdownDescription: desc, Computed: true,
			PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}}
	}
	keepInt := func(desc string) schema.Int64Attribute {
		return schema.Int64Attribute{MarkdownDescription: desc, Computed: true,
			PlanModifiers: []planmodifier.Int64{int64planmodifier.UseStateForUnknown()}}
	}
	filterList := func(desc string) schema.ListAttribute {
		return schema.ListAttribute{MarkdownDescription: desc, Optional: true, ElementType: types.StringType}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A namespace clone: copies objects (and, with `STATEFUL`, each job's latest snapshot or " +
			"checkpoint) from a source namespace into a target namespace of the same region and architecture. Apply " +
			"waits for the clone to end and logs its progress. `PARTIALLY_SUCCEEDED` is a warning listing the failed " +
			"objects; `FAILED` is an error. Every argument except `delete_created_on_destroy` starts a new clone. " +
			"Cloned jobs are left stopped; names taken in the target are listed in `renames`; catalog names in job " +
			"code are not rewritten (see `attention`). A clone cannot be undone: destroying this resource forgets the " +
			"task (its history stays) and keeps what it created, unless `delete_created_on_destroy = true`. Import " +
			"with the clone id: `terraform import flink_namespace_clone.x <clone_id>`.",
		Attributes: map[string]schema.Attribute{
			"id": idAttribute("clone task"),
			"source_namespace_id": schema.StringAttribute{MarkdownDescription: "Id of the namespace to copy from.",
				Required: true, PlanModifiers: replace},
			"target_namespace_id": schema.StringAttribute{MarkdownDescription: "Id of the namespace to copy into.",
				Required: true, PlanModifiers: replace},
			"objects": schema.SetAttribute{
				MarkdownDescription: "Kinds of objects to clone, lower case: " + "`" + strings.Join(api.CloneableKinds, "`, `") +
					"`. Task orchestrations, queues, permissions and alert configurations are never cloned.",
				Required: true, ElementType: types.StringType,
				PlanModifiers: []planmodifier.Set{setplanmodifier.RequiresReplace()},
				Validators: []validator.Set{setvalidator.SizeAtLeast(1),
					setvalidator.ValueStringsAre(stringvalidator.OneOf(api.CloneableKinds...))},
			},
			"deployment_filter": schema.SingleNestedAttribute{
				MarkdownDescription: "Narrows which deployments are cloned; a field left out matches everything.",
				Optional:            true,
				PlanModifiers:       []planmodifier.Object{objectplanmodifier.RequiresReplace()},
				Attributes: map[string]schema.Attribute{
					"names":           filterList("Deployment names or globs (`orders-*`)."),
					"types":           filterList("Deployment types (`SQL`, `JAR`, `PYTHON`)."),
					"engine_versions": filterList("Engine versions, such as `vvr-8.0.9-flink-1.17`."),
					"statuses":        filterList("Job statuses (`RUNNING`, `CANCELLED`, `CREATED`, ...)."),
					"last_cloned_before": schema.StringAttribute{
						MarkdownDescription: "Only deployments last cloned before this RFC 3339 time (or never cloned).",
						Optional:            true, Validators: []validator.String{rfc3339Validator{}}},
				},
			},
			"state_policy": policy("`STATELESS` (default: configuration and code only) or `STATEFUL` (also the latest "+
				"snapshot or checkpoint of each job; needs VVR 6.0.2 or later).", api.StateStateless, api.StateStateful, api.StateStateless),
			"running_policy": policy("Running streaming jobs: `SKIP` (default) or `DO_NOT_SKIP` (take a snapshot, then clone).",
				api.RunningSkip, api.RunningSkip, api.RunningDoNotSkip),
			"error_policy": policy("On an object that fails: `SKIP_AND_CONTINUE` (default), `STOP` (what was cloned stays) or "+
				"`ALLOW_STATELESS` (fall back to a stateless copy).", api.ErrorSkipAndContinue,
				api.ErrorSkipAndContinue, api.ErrorStop, api.ErrorAllowStateless),
			"name_conflict": policy("A name that exists in the target: `RENAME` (default; recorded in `renames`), `SKIP` or `FAIL`.",
				api.ConflictRename, api.ConflictRename, api.ConflictSkip, api.ConflictFail),
			"catalog_mapping": schema.MapAttribute{
				MarkdownDescription: "Catalog names to rewrite in cloned job code, source name to target name.",
				Optional:            true, ElementType: types.StringType,
				PlanModifiers: []planmodifier.Map{mapplanmodifier.RequiresReplace()},
			},
			"client_token": schema.StringAttribute{
				MarkdownDescription: "Makes the clone's create idempotent beyond one call: while a clone you started into the " +
					"target with this token exists (was not destroyed), the same request gets that clone back instead of a " +
					"second copy. Left out, the provider derives a token from the request, so an apply killed before it " +
					"saved the state does not clone again when run again. Set it to run the same request again while an " +
					"earlier clone with it is still managed elsewhere. Changing it starts a new clone.",
				Optional: true,
				Validators: []validator.String{stringvalidator.LengthBetween(1, api.MaxClientToken),
					stringvalidator.RegexMatches(regexp.MustCompile(`^[[:print:]]+$`), "must be printable ASCII")},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"delete_created_on_destroy": schema.BoolAttribute{
				MarkdownDescription: "On destroy, also delete what the clone created (objects changed since the clone are " +
					"kept and reported). Defaults to `false`: destroy only forgets the task. Changing it needs no new clone.",
				Optional: true, Computed: true, Default: booldefault.StaticBool(false),
			},
			"status": keepStr("`SUCCEEDED`, `PARTIALLY_SUCCEEDED`, `FAILED` or `CANCELLED`; `PENDING` or `RUNNING` " +
				"when apply stopped waiting (timeouts.create, an interrupt): the clone goes on and the next refresh reads it."),
			"total_count":   keepInt("Objects the clone handled."),
			"failed_count":  keepInt("Objects that failed."),
			"skipped_count": keepInt("Objects skipped (running jobs with `SKIP`, name conflicts with `SKIP`)."),
			"counts": schema.MapNestedAttribute{
				MarkdownDescription: "Counts per object kind.",
				Computed:            true,
				PlanModifiers:       []planmodifier.Map{mapplanmodifier.UseStateForUnknown()},
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"total":   schema.Int64Attribute{MarkdownDescription: "Objects of this kind.", Computed: true},
					"done":    schema.Int64Attribute{MarkdownDescription: "Cloned.", Computed: true},
					"failed":  schema.Int64Attribute{MarkdownDescription: "Failed.", Computed: true},
					"skipped": schema.Int64Attribute{MarkdownDescription: "Skipped.", Computed: true},
				}},
			},
			"renames": schema.ListNestedAttribute{
				MarkdownDescription: "Names taken in the target because the source name existed there.",
				Computed:            true,
				PlanModifiers:       []planmodifier.List{listplanmodifier.UseStateForUnknown()},
				NestedObject:        renameNested(),
			},
			"attention": schema.ListNestedAttribute{
				MarkdownDescription: "What a person must check after the clone: catalogs referenced in job code " +
					"(`catalog_reference`), references rewritten by `catalog_mapping` (`catalog_rewritten`) and " +
					"dependencies missing in the target (`missing_dependency`).",
				Computed:      true,
				PlanModifiers: []planmodifier.List{listplanmodifier.UseStateForUnknown()},
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"kind":       schema.StringAttribute{MarkdownDescription: "What kind of item this is.", Computed: true},
					"deployment": schema.StringAttribute{MarkdownDescription: "Deployment concerned.", Computed: true},
					"name":       schema.StringAttribute{MarkdownDescription: "Catalog or dependency name.", Computed: true},
					"detail":     schema.StringAttribute{MarkdownDescription: "What to do.", Computed: true},
				}},
			},
			"started_at":  keepStr("When the clone started (RFC 3339)."),
			"finished_at": keepStr("When it ended (RFC 3339)."),
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Delete: true}),
		},
	}
}

func renameNested() schema.NestedAttributeObject {
	return schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
		"kind":        schema.StringAttribute{MarkdownDescription: "Object kind, as in `objects`.", Computed: true},
		"source_name": schema.StringAttribute{MarkdownDescription: "Name in the source namespace.", Computed: true},
		"target_name": schema.StringAttribute{MarkdownDescription: "Name it got in the target.", Computed: true},
	}}
}

func (r *namespaceCloneResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clientFromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (r *namespaceCloneResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan namespaceCloneModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, defaultCloneTimeout)
	resp.Diagnostics.Append(diags...)
	in := cloneRequestFromModel(ctx, plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	what := fmt.Sprintf("Cloning namespace %s into %s", in.SourceNamespaceID, in.TargetNamespaceID)
	postCtx, cancelPost := context.WithTimeout(context.WithoutCancel(ctx), clonePostTimeout)
	started, err := r.client.CreateClone(postCtx, in)
	cancelPost()
	if err != nil {
		addClientError(&resp.Diagnostics, what, err)
		return
	}
	waitCtx, cancel := withNamedTimeout(ctx, "timeouts.create", timeout)
	defer cancel()
	done, lastPercent := started, -1
	_, err = r.client.WaitForClone(waitCtx, started.ID, func(c api.Clone) {
		done = c
		if c.Progress.Percent != lastPercent {
			lastPercent = c.Progress.Percent
			tflog.Info(ctx, fmt.Sprintf("clone %s: %s, %d%% done", c.ID, c.Status, c.Progress.Percent),
				map[string]any{"clone_id": c.ID, "status": c.Status, "percent": c.Progress.Percent})
		}
	})
	// The task exists from here on: record it even when it failed, so destroy can forget it.
	cloneOutcome(&plan, done)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
	switch {
	case err != nil && cloneRunning(done.Status):
		warnCloneGoesOn(&resp.Diagnostics, err, timeout, done)
	case err != nil:
		addClientError(&resp.Diagnostics, what, err)
	case done.Status == api.ClonePartiallySucceeded:
		resp.Diagnostics.AddWarning("Clone "+done.ID+" partially succeeded",
			fmt.Sprintf("%d of %d objects failed:\n%s", done.FailedCount, done.TotalCount,
				r.failedItems(context.WithoutCancel(ctx), done.ID)))
	case done.Status == api.CloneFailed, done.Status == api.CloneCancelled:
		resp.Diagnostics.AddError(what+" failed", fmt.Sprintf("Clone %s ended %s%s. Objects already cloned stay in "+
			"the target. Failed objects:\n%s", done.ID, done.Status, failureText(done.Failure),
			r.failedItems(context.WithoutCancel(ctx), done.ID)))
	}
}

func failureText(f string) string {
	if f == "" {
		return ""
	}
	return ": " + f
}

// failedItems lists a clone's failed objects, one per line.
func (r *namespaceCloneResource) failedItems(ctx context.Context, id string) string {
	items, err := r.client.ListCloneItems(ctx, id)
	if err != nil {
		return "(the list of failed objects could not be read: " + err.Error() + ")"
	}
	var b strings.Builder
	for _, it := range items {
		if it.Status == api.ItemFailed {
			fmt.Fprintf(&b, "- %s %q: %s\n", it.Kind, it.SourceName, it.Message)
		}
	}
	if b.Len() == 0 {
		return "(none listed)"
	}
	return b.String()
}

func (r *namespaceCloneResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state namespaceCloneModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c, err := r.client.GetClone(ctx, state.ID.ValueString())
	if client.IsNotFound(err) {
		removeGone(ctx, resp, "flink_namespace_clone", state.ID.ValueString())
		return
	}
	if err != nil {
		addClientError(&resp.Diagnostics, "Reading flink_namespace_clone "+state.ID.ValueString(), err)
		return
	}
	// A clone task never changes its request: the arguments come from the engine only after an import.
	if state.SourceNamespaceID.IsNull() {
		cloneInputsFromRequest(&state, c)
		// A token the provider derived reads back as not set, as the configuration has it.
		state.ClientToken = types.StringNull()
		if tok := c.Request.ClientToken; tok != "" && tok != cloneRequestFromModel(ctx, state, &resp.Diagnostics).ClientToken {
			state.ClientToken = types.StringValue(tok)
		}
	}
	warnCloneEnded(&resp.Diagnostics, state.Status.ValueString(), c)
	cloneOutcome(&state, c)
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

// Update only ever sees delete_created_on_destroy (or timeouts) change: everything else replaces.
func (r *namespaceCloneResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state namespaceCloneModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	state.DeleteCreatedOnDestroy, state.Timeouts = plan.DeleteCreatedOnDestroy, plan.Timeouts
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

func (r *namespaceCloneResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state namespaceCloneModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := state.Timeouts.Delete(ctx, defaultCloneTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := withNamedTimeout(ctx, "timeouts.delete", timeout)
	defer cancel()
	id := state.ID.ValueString()
	deleteCreated := state.DeleteCreatedOnDestroy.ValueBool()
	out, err := r.client.DeleteClone(ctx, id, deleteCreated)
	if client.HasCode(err, api.CodeCloneRunning) {
		// A clone still running (its create timed out): stop it first; what it made stays unless asked.
		if _, err = r.client.CancelClone(ctx, id); err == nil {
			if _, err = r.client.WaitForClone(ctx, id, nil); err == nil {
				out, err = r.client.DeleteClone(ctx, id, deleteCreated)
			}
		}
	}
	if err != nil && !client.IsNotFound(err) {
		addTimedError(ctx, &resp.Diagnostics, "Deleting flink_namespace_clone "+id, err)
		return
	}
	warnKept(&resp.Diagnostics, id, out)
}

// warnKept reports objects a delete_created destroy left in place because they changed since the clone.
func warnKept(diags *diag.Diagnostics, id string, out *api.Clone) {
	if out == nil || out.Deleted == nil || len(out.Deleted.Kept) == 0 {
		return
	}
	diags.AddWarning("Clone "+id+": some created objects were kept",
		fmt.Sprintf("Deleted %d objects the clone created; kept %d that changed since the clone (delete them by hand "+
			"if they should go):\n- %s", len(out.Deleted.Deleted), len(out.Deleted.Kept), strings.Join(out.Deleted.Kept, "\n- ")))
}

func (r *namespaceCloneResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resource.ImportStatePassthroughID(ctx, path.Root("id"), req, resp)
}
