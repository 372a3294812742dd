package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/blob"
	"github.com/streamstate/terraform-provider-flink/internal/store"
)

// cloneRecord is a clone task as stored: its public document plus the executor's flags.
type cloneRecord struct {
	api.Clone
	CancelRequested bool `json:"cancel_requested,omitempty"`
	// Stopped says the STOP error policy ended the task at a failure.
	Stopped bool `json:"stopped,omitempty"`
	// Released says the task was deleted: its history stays, its client token no longer answers a create.
	Released bool `json:"released,omitempty"`
}

// cloneItemRecord is one planned object of a clone: the journal entry the executor advances. TargetID
// and SnapshotID are chosen when the task is planned, so a create after a crash reuses them and the
// object cannot be made twice.
type cloneItemRecord struct {
	api.CloneItem
	// SourceSnapshot is the snapshot a DO_NOT_SKIP clone took of a running job (reused on resume).
	SourceSnapshot string `json:"source_snapshot,omitempty"`
	// TargetVersion is the version the created object had; a later change moves it (see DeleteClone).
	TargetVersion int64               `json:"target_version,omitempty"`
	Renamed       bool                `json:"renamed,omitempty"`
	Attention     []api.AttentionItem `json:"attention,omitempty"`
}

func cloneItemID(cloneID string, seq int) string { return fmt.Sprintf("%s/%06d", cloneID, seq) }

func putClone(tx store.Tx, c cloneRecord) error {
	return tx.Put(store.Clones, c.ID, store.Cols{"source_namespace_id": c.SourceNamespaceID,
		"target_namespace_id": c.TargetNamespaceID, "status": c.Status, "created_at": store.TimeKey(c.CreatedAt)}, c)
}

func putCloneItem(tx store.Tx, it cloneItemRecord) error {
	return tx.Put(store.CloneItems, cloneItemID(it.CloneID, it.Seq), store.Cols{"clone_id": it.CloneID, "seq": it.Seq,
		"status": it.Status}, it)
}

// neverCloned are the kinds the product never clones; asking for them is an error, not a silent no-op.
var neverCloned = []string{api.KindTaskOrchestration, api.KindQueue, api.KindAlertConfig}

// normaliseCloneRequest applies defaults and validates every field, naming the field at fault.
func normaliseCloneRequest(req *api.CloneRequest) error {
	if req.SourceNamespaceID == "" {
		return invalid("source_namespace_id", "must not be empty")
	}
	if req.TargetNamespaceID == "" {
		return invalid("target_namespace_id", "must not be empty")
	}
	if req.SourceNamespaceID == req.TargetNamespaceID {
		return invalid("target_namespace_id", "is the source namespace %s: clone into another namespace", req.SourceNamespaceID)
	}
	if len(req.Objects) == 0 {
		req.Objects = slices.Clone(api.CloneableKinds)
	}
	seen := map[string]bool{}
	for _, k := range req.Objects {
		switch {
		case slices.Contains(neverCloned, k):
			return invalid("objects", "%s are never cloned (task orchestrations, queues, permissions and alert configurations stay in their namespace); remove %q", k, k)
		case !slices.Contains(api.CloneableKinds, k):
			return invalid("objects", "%q is not a cloneable kind; use any of %s", k, strings.Join(api.CloneableKinds, ", "))
		case seen[k]:
			return invalid("objects", "%q is listed twice", k)
		}
		seen[k] = true
	}
	// Keep dependency order whatever order the caller listed.
	req.Objects = slices.DeleteFunc(slices.Clone(api.CloneableKinds), func(k string) bool { return !seen[k] })
	defaults := []struct {
		field string
		v     *string
		def   string
		allow []string
	}{
		{"state_policy", &req.StatePolicy, api.StateStateless, []string{api.StateStateful, api.StateStateless}},
		{"running_policy", &req.RunningPolicy, api.RunningSkip, []string{api.RunningSkip, api.RunningDoNotSkip}},
		{"error_policy", &req.ErrorPolicy, api.ErrorSkipAndContinue, []string{api.ErrorSkipAndContinue, api.ErrorStop, api.ErrorAllowStateless}},
		{"name_conflict", &req.NameConflict, api.ConflictRename, []string{api.ConflictRename, api.ConflictSkip, api.ConflictFail}},
	}
	for _, d := range defaults {
		if *d.v == "" {
			*d.v = d.def
		}
		if err := oneOf(d.field, *d.v, d.allow...); err != nil {
			return err
		}
	}
	if len(req.ClientToken) > api.MaxClientToken || strings.ContainsFunc(req.ClientToken, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return invalid("client_token", "at most %d bytes without control characters", api.MaxClientToken)
	}
	for from, to := range req.CatalogMapping {
		if !catalogName.MatchString(from) || !catalogName.MatchString(to) {
			return invalid("catalog_mapping", "%q -> %q: catalog names are letters, digits and _ (starting with a letter or _)", from, to)
		}
	}
	if f := req.DeploymentFilter; f != nil {
		for _, g := range f.Names {
			if _, err := path.Match(g, ""); err != nil {
				return invalid("deployment_filter.names", "%q is not a valid glob (use *, ? and [...])", g)
			}
		}
		for _, t := range f.Types {
			if err := oneOf("deployment_filter.types", t, api.DeploymentSQL, api.DeploymentJAR, api.DeploymentPython); err != nil {
				return err
			}
		}
		for _, v := range f.EngineVersions {
			if _, ok := ParseEngineVersion(v); !ok {
				return invalid("deployment_filter.engine_versions", "%q is not an engine version like \"flink-1.20\" or \"vvr-8.0.9-flink-1.17\"", v)
			}
		}
		for _, st := range f.Statuses {
			if err := oneOf("deployment_filter.statuses", st, knownJobStatuses...); err != nil {
				return err
			}
		}
		if f.LastClonedBefore != nil && f.LastClonedAfter != nil && !f.LastClonedAfter.Before(*f.LastClonedBefore) {
			return invalid("deployment_filter", "last_cloned_after (%s) must be before last_cloned_before (%s)", f.LastClonedAfter, f.LastClonedBefore)
		}
	}
	return nil
}

// clonePair is what the preconditions need to know of both sides.
type clonePair struct {
	source, target     api.Namespace
	sourceWS, targetWS workspaceRecord
}

// checkClonePreconditions checks roles, workspaces, storage and locks; every refusal has its own code.
func checkClonePreconditions(tx store.Tx, p Principal, req api.CloneRequest) (clonePair, error) {
	var pair clonePair
	var err error
	if pair.source, err = requireBodyRole(tx, p, req.SourceNamespaceID, api.RoleEditor, "source_namespace_id: namespace", req.SourceNamespaceID); err != nil {
		return pair, cloneRoleErr(err, "source")
	}
	if pair.target, err = requireBodyRole(tx, p, req.TargetNamespaceID, api.RoleEditor, "target_namespace_id: namespace", req.TargetNamespaceID); err != nil {
		return pair, cloneRoleErr(err, "target")
	}
	if pair.sourceWS, err = workspaceOf(tx, pair.source); err != nil {
		return pair, err
	}
	if pair.targetWS, err = workspaceOf(tx, pair.target); err != nil {
		return pair, err
	}
	s, t := pair.sourceWS, pair.targetWS
	for _, ws := range []workspaceRecord{s, t} {
		if !ws.CloneEnabled {
			return pair, errf(api.CodeCloneDisabled, "clone is not enabled for workspace %q: its Owner (%q) must set clone_enabled = true", ws.Name, ws.Owner)
		}
	}
	if s.Region != t.Region {
		return pair, errf(api.CodeRegionMismatch, "source workspace %q is in region %q and target workspace %q in %q: clones stay within one region",
			s.Name, s.Region, t.Name, t.Region)
	}
	if s.Architecture != t.Architecture {
		return pair, errf(api.CodeArchMismatch, "source workspace %q runs on %s and target workspace %q on %s: clones need the same architecture",
			s.Name, s.Architecture, t.Name, t.Architecture)
	}
	if s.Storage.Type == api.StorageManaged && t.Storage.Type == api.StorageOSS {
		return pair, errf(api.CodeStorageIncompatible, "source workspace %q uses managed storage, so the target must too; workspace %q uses OSS: pick a target workspace on managed storage",
			s.Name, t.Name)
	}
	for _, ns := range []api.Namespace{pair.source, pair.target} {
		if ns.LockedBy != "" {
			return pair, &Error{Code: api.CodeCloneRunning, TaskID: ns.LockedBy, Message: fmt.Sprintf(
				"namespace %q is already in running clone task %s: a namespace is in one clone at a time, wait for it to end or cancel it", ns.Name, ns.LockedBy)}
		}
	}
	return pair, nil
}

func cloneRoleErr(err error, side string) error {
	var de *Error
	if errors.As(err, &de) && de.Code == api.CodeForbidden {
		de.Message = "cloning needs EDITOR or OWNER on both namespaces; on the " + side + " namespace: " + de.Message
	}
	return err
}

// CreateClone checks the preconditions, plans the items and records the task with both namespaces
// locked, all in one transaction; the copy runs in the background. It returns the task PENDING.
func (e *Engine) CreateClone(ctx context.Context, p Principal, req api.CloneRequest) (api.Clone, error) {
	if err := normaliseCloneRequest(&req); err != nil {
		return api.Clone{}, err
	}
	// OSS to managed storage: prove read access to the source bucket before anything is written.
	var pair clonePair
	var earlier *api.Clone
	err := e.store.View(ctx, func(tx store.Tx) (err error) {
		if earlier, err = cloneWithToken(tx, p, req); err != nil || earlier != nil {
			return err
		}
		pair, err = checkClonePreconditions(tx, p, req)
		return err
	})
	if err != nil {
		return api.Clone{}, err
	}
	if earlier != nil {
		return *earlier, nil
	}
	if pair.sourceWS.Storage.Type == api.StorageOSS && pair.targetWS.Storage.Type == api.StorageManaged {
		if err := e.checkSourceReadable(ctx, pair.sourceWS); err != nil {
			return api.Clone{}, err
		}
	}
	now := e.now()
	c := cloneRecord{Clone: api.Clone{ID: newID("clone"), SourceNamespaceID: req.SourceNamespaceID, TargetNamespaceID: req.TargetNamespaceID,
		Request: req, Status: api.ClonePending, ObjectTypes: req.Objects, StartedBy: p.User, CreatedAt: now,
		Renames: []api.Rename{}, Attention: []api.AttentionItem{}}}
	err = e.store.Update(ctx, func(tx store.Tx) error {
		// Checked again inside the writing transaction: the one-to-one rule must hold against a racing
		// clone, and a racing retry with the same token must find the clone the other one made.
		var err error
		if earlier, err = cloneWithToken(tx, p, req); err != nil || earlier != nil {
			return err
		}
		pair, err := checkClonePreconditions(tx, p, req)
		if err != nil {
			return err
		}
		items, err := planClone(tx, c.Clone)
		if err != nil {
			return err
		}
		c.TotalCount = len(items)
		c.Progress = progressOf(c.ObjectTypes, items)
		for _, it := range items {
			if err := putCloneItem(tx, it); err != nil {
				return err
			}
		}
		for _, ns := range []api.Namespace{pair.source, pair.target} {
			ns.LockedBy = c.ID
			if err := tx.Put(store.Namespaces, ns.ID, store.Cols{"workspace_id": ns.WorkspaceID, "name": ns.Name}, ns); err != nil {
				return err
			}
		}
		return putClone(tx, c)
	})
	if err != nil {
		return api.Clone{}, err
	}
	if earlier != nil {
		return *earlier, nil
	}
	e.executeClone(c.ID)
	return c.Clone, nil
}

// cloneWithToken finds the caller's clone into the request's target that carries the request's client
// token and was not deleted: the clone a retried create (after a lost answer, a killed apply) asked for.
// The same token with another request is refused. It returns nil when there is none.
func cloneWithToken(tx store.Tx, p Principal, req api.CloneRequest) (*api.Clone, error) {
	if req.ClientToken == "" {
		return nil, nil
	}
	if _, err := requireBodyRole(tx, p, req.TargetNamespaceID, api.RoleEditor, "target_namespace_id: namespace", req.TargetNamespaceID); err != nil {
		return nil, cloneRoleErr(err, "target")
	}
	var recs []cloneRecord
	if err := tx.List(store.Clones, store.Query{Where: store.Cols{"target_namespace_id": req.TargetNamespaceID}}, &recs); err != nil {
		return nil, err
	}
	for _, c := range recs {
		if c.Released || c.StartedBy != p.User || c.Request.ClientToken != req.ClientToken {
			continue
		}
		if !sameCloneRequest(c.Request, req) {
			return nil, errf(api.CodeIdempotencyMismatch, "client_token %q belongs to clone task %s, started with another "+
				"request: use another client_token for this request", req.ClientToken, c.ID)
		}
		out, err := c.public(tx)
		return &out, err
	}
	return nil, nil
}

// sameCloneRequest compares two normalised requests.
func sameCloneRequest(a, b api.CloneRequest) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && bytes.Equal(ja, jb)
}

func (e *Engine) checkSourceReadable(ctx context.Context, ws workspaceRecord) error {
	st, err := e.storageOf(ctx, ws)
	if err != nil {
		return err
	}
	if err := blob.CheckReadAccess(ctx, st); err != nil {
		var ae *blob.AccessError
		if errors.As(err, &ae) {
			return errf(api.CodeStorageAccessDenied, "cloning from OSS workspace %q to managed storage needs %s permission on its bucket %s: %v",
				ws.Name, ae.Action, ae.Bucket, err)
		}
		return err
	}
	return nil
}
