package provider

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/streamstate/terraform-provider-flink/internal/api"
)

// namespaceCloneModel is flink_namespace_clone's state.
type namespaceCloneModel struct {
	ID                     types.String   `tfsdk:"id"`
	SourceNamespaceID      types.String   `tfsdk:"source_namespace_id"`
	TargetNamespaceID      types.String   `tfsdk:"target_namespace_id"`
	Objects                types.Set      `tfsdk:"objects"`
	DeploymentFilter       types.Object   `tfsdk:"deployment_filter"`
	StatePolicy            types.String   `tfsdk:"state_policy"`
	RunningPolicy          types.String   `tfsdk:"running_policy"`
	ErrorPolicy            types.String   `tfsdk:"error_policy"`
	NameConflict           types.String   `tfsdk:"name_conflict"`
	CatalogMapping         types.Map      `tfsdk:"catalog_mapping"`
	DeleteCreatedOnDestroy types.Bool     `tfsdk:"delete_created_on_destroy"`
	ClientToken            types.String   `tfsdk:"client_token"`
	Status                 types.String   `tfsdk:"status"`
	TotalCount             types.Int64    `tfsdk:"total_count"`
	FailedCount            types.Int64    `tfsdk:"failed_count"`
	SkippedCount           types.Int64    `tfsdk:"skipped_count"`
	Counts                 types.Map      `tfsdk:"counts"`
	Renames                types.List     `tfsdk:"renames"`
	Attention              types.List     `tfsdk:"attention"`
	StartedAt              types.String   `tfsdk:"started_at"`
	FinishedAt             types.String   `tfsdk:"finished_at"`
	Timeouts               timeouts.Value `tfsdk:"timeouts"`
}

type deploymentFilterModel struct {
	Names            types.List   `tfsdk:"names"`
	Types            types.List   `tfsdk:"types"`
	EngineVersions   types.List   `tfsdk:"engine_versions"`
	Statuses         types.List   `tfsdk:"statuses"`
	LastClonedBefore types.String `tfsdk:"last_cloned_before"`
}

var (
	stringListType        = types.ListType{ElemType: types.StringType}
	deploymentFilterTypes = map[string]attr.Type{"names": stringListType, "types": stringListType,
		"engine_versions": stringListType, "statuses": stringListType, "last_cloned_before": types.StringType}
	kindCountsType = types.ObjectType{AttrTypes: map[string]attr.Type{"total": types.Int64Type, "done": types.Int64Type,
		"failed": types.Int64Type, "skipped": types.Int64Type}}
	renameType = types.ObjectType{AttrTypes: map[string]attr.Type{"kind": types.StringType,
		"source_name": types.StringType, "target_name": types.StringType}}
	attentionType = types.ObjectType{AttrTypes: map[string]attr.Type{"kind": types.StringType,
		"deployment": types.StringType, "name": types.StringType, "detail": types.StringType}}
)

// listOrNull maps an absent list (nil) to null and keeps an empty one: `names = []` reads back as [].
func listOrNull(items []string) types.List {
	if items == nil {
		return types.ListNull(types.StringType)
	}
	return stringList(items)
}

func stringsOf(ctx context.Context, l types.List, diags *diag.Diagnostics) []string {
	if l.IsNull() || l.IsUnknown() {
		return nil
	}
	var out []string
	diags.Append(l.ElementsAs(ctx, &out, false)...)
	return out
}

// cloneRequestFromModel builds the engine request from the plan.
func cloneRequestFromModel(ctx context.Context, m namespaceCloneModel, diags *diag.Diagnostics) api.CloneRequest {
	req := api.CloneRequest{
		SourceNamespaceID: m.SourceNamespaceID.ValueString(), TargetNamespaceID: m.TargetNamespaceID.ValueString(),
		StatePolicy: m.StatePolicy.ValueString(), RunningPolicy: m.RunningPolicy.ValueString(),
		ErrorPolicy: m.ErrorPolicy.ValueString(), NameConflict: m.NameConflict.ValueString(),
	}
	diags.Append(m.Objects.ElementsAs(ctx, &req.Objects, false)...)
	if !m.CatalogMapping.IsNull() {
		req.CatalogMapping = map[string]string{}
		diags.Append(m.CatalogMapping.ElementsAs(ctx, &req.CatalogMapping, false)...)
	}
	if !m.DeploymentFilter.IsNull() {
		var f deploymentFilterModel
		diags.Append(m.DeploymentFilter.As(ctx, &f, objectAsLenient)...)
		req.DeploymentFilter = &api.DeploymentFilter{Names: stringsOf(ctx, f.Names, diags), Types: stringsOf(ctx, f.Types, diags),
			EngineVersions: stringsOf(ctx, f.EngineVersions, diags), Statuses: stringsOf(ctx, f.Statuses, diags)}
		if !f.LastClonedBefore.IsNull() {
			t, err := time.Parse(time.RFC3339, f.LastClonedBefore.ValueString())
			if err != nil {
				diags.AddError("Invalid deployment_filter.last_cloned_before", err.Error())
			}
			req.DeploymentFilter.LastClonedBefore = &t
		}
	}
	if req.ClientToken = m.ClientToken.ValueString(); req.ClientToken == "" {
		req.ClientToken = derivedClientToken(req)
	}
	return req
}

// derivedClientToken is the client token of a request whose configuration sets none: a digest of the
// request, so the same request asked again (by an apply run again after one killed before it saved the
// state) gets the clone the engine still has instead of a second copy. The engine forgets the token when
// the clone is deleted (destroy, -replace), so a deliberate new run of the same request clones again.
func derivedClientToken(req api.CloneRequest) string {
	req.ClientToken = ""
	req.Objects = slices.Sorted(slices.Values(req.Objects)) // a set: its order means nothing
	data, _ := json.Marshal(req)                            // plain data: cannot fail
	sum := sha256.Sum256(data)
	return "tf-" + hex.EncodeToString(sum[:16])
}

// cloneInputsFromRequest fills the arguments from the engine's copy of the request (after an import).
func cloneInputsFromRequest(m *namespaceCloneModel, c api.Clone) {
	r := c.Request
	m.SourceNamespaceID = types.StringValue(c.SourceNamespaceID)
	m.TargetNamespaceID = types.StringValue(c.TargetNamespaceID)
	objs := make([]attr.Value, len(r.Objects))
	for i, o := range r.Objects {
		objs[i] = types.StringValue(o)
	}
	m.Objects = types.SetValueMust(types.StringType, objs)
	m.StatePolicy = types.StringValue(stringOr(types.StringValue(r.StatePolicy), api.StateStateless))
	m.RunningPolicy = types.StringValue(stringOr(types.StringValue(r.RunningPolicy), api.RunningSkip))
	m.ErrorPolicy = types.StringValue(stringOr(types.StringValue(r.ErrorPolicy), api.ErrorSkipAndContinue))
	m.NameConflict = types.StringValue(stringOr(types.StringValue(r.NameConflict), api.ConflictRename))
	m.CatalogMapping = types.MapNull(types.StringType)
	if r.CatalogMapping != nil { // {} stays {}
		vals := map[string]attr.Value{}
		for k, v := range r.CatalogMapping {
			vals[k] = types.StringValue(v)
		}
		m.CatalogMapping = types.MapValueMust(types.StringType, vals)
	}
	m.DeploymentFilter = types.ObjectNull(deploymentFilterTypes)
	if f := r.DeploymentFilter; f != nil {
		before := types.StringNull()
		if f.LastClonedBefore != nil {
			// In the offset it was written with: the engine keeps it, and UTC would read as a change.
			before = types.StringValue(f.LastClonedBefore.Format(time.RFC3339Nano))
		}
		m.DeploymentFilter = types.ObjectValueMust(deploymentFilterTypes, map[string]attr.Value{
			"names": listOrNull(f.Names), "types": listOrNull(f.Types), "engine_versions": listOrNull(f.EngineVersions),
			"statuses": listOrNull(f.Statuses), "last_cloned_before": before})
	}
	if m.DeleteCreatedOnDestroy.IsNull() {
		m.DeleteCreatedOnDestroy = types.BoolValue(false)
	}
}

// cloneOutcome writes the clone's results (the computed attributes) into m.
func cloneOutcome(m *namespaceCloneModel, c api.Clone) {
	m.ID = types.StringValue(c.ID)
	m.Status = types.StringValue(c.Status)
	m.TotalCount = types.Int64Value(int64(c.TotalCount))
	m.FailedCount = types.Int64Value(int64(c.FailedCount))
	m.SkippedCount = types.Int64Value(int64(c.SkippedCount))
	counts := map[string]attr.Value{}
	for kind, k := range c.Progress.Counts {
		counts[kind] = types.ObjectValueMust(kindCountsType.AttrTypes, map[string]attr.Value{
			"total": types.Int64Value(int64(k.Total)), "done": types.Int64Value(int64(k.Done)),
			"failed": types.Int64Value(int64(k.Failed)), "skipped": types.Int64Value(int64(k.Skipped))})
	}
	m.Counts = types.MapValueMust(kindCountsType, counts)
	m.Renames = renameList(c.Renames)
	att := make([]attr.Value, len(c.Attention))
	for i, a := range c.Attention {
		att[i] = types.ObjectValueMust(attentionType.AttrTypes, map[string]attr.Value{"kind": types.StringValue(a.Kind),
			"deployment": types.StringValue(a.Deployment), "name": types.StringValue(a.Name), "detail": types.StringValue(a.Detail)})
	}
	m.Attention = types.ListValueMust(attentionType, att)
	m.StartedAt = timePtrString(c.StartedAt)
	m.FinishedAt = timePtrString(c.FinishedAt)
}

// renameList renders renames as a list of { kind, source_name, target_name }.
func renameList(renames []api.Rename) types.List {
	vals := make([]attr.Value, len(renames))
	for i, r := range renames {
		vals[i] = types.ObjectValueMust(renameType.AttrTypes, map[string]attr.Value{"kind": types.StringValue(r.Kind),
			"source_name": types.StringValue(r.SourceName), "target_name": types.StringValue(r.TargetName)})
	}
	return types.ListValueMust(renameType, vals)
}
