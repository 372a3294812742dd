package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/blob"
	"github.com/streamstate/terraform-provider-flink/internal/store"
)

// ClonedStatus is the status of cloned deployments and session clusters: they never run by themselves.
const ClonedStatus = "STOPPED"

// cloneRun is one execution of a clone task (a resume after a crash is another).
type cloneRun struct {
	e     *Engine
	clone cloneRecord
	stop  atomic.Bool

	mu       sync.Mutex
	sources  map[string]objectRecord      // the current kind's source objects, by id
	renames  map[string]map[string]string // kind -> source name -> target name, for reference rewriting
	copies   map[string]string            // source id -> target id of the objects cloned so far (file resource ids)
	taken    map[string]bool              // the current kind's names in the target (see batchTx)
	srcStore blob.Store
	dstStore blob.Store
	runtimes map[string]namespaceRuntime // by namespace id, read once per run (clone_state.go)
}

// cloneExtras is what an item needs that is prepared outside its transaction (bytes copied first).
type cloneExtras struct {
	err       error
	fileSpec  *api.FileResourceSpec
	snapshot  *api.Snapshot // the COPIED snapshot to register with a stateful deployment
	stateless string        // why a deployment is cloned without state
	notes     []api.AttentionItem
}

func (r *cloneRun) stopped() bool { return r.stop.Load() }
func (r *cloneRun) markStopped()  { r.stop.Store(true) }

// prepareKind loads what the items of one kind read: the source objects and, for kinds that reference
// others, the renames made so far.
func (r *cloneRun) prepareKind(ctx context.Context, kind string) error {
	var objs, targets []objectRecord
	var items []cloneItemRecord
	err := r.e.store.View(ctx, func(tx store.Tx) error {
		if err := tx.List(store.Objects, store.Query{Where: store.Cols{"namespace_id": r.clone.SourceNamespaceID, "kind": kind}}, &objs); err != nil {
			return err
		}
		if err := tx.List(store.CloneItems, store.Query{Where: store.Cols{"clone_id": r.clone.ID}, OrderBy: "seq"}, &items); err != nil {
			return err
		}
		return tx.List(store.Objects, store.Query{Where: store.Cols{"namespace_id": r.clone.TargetNamespaceID, "kind": kind}}, &targets)
	})
	if err != nil {
		return err
	}
	r.taken = make(map[string]bool, len(targets))
	for _, o := range targets {
		r.taken[o.Name] = true
	}
	r.sources = make(map[string]objectRecord, len(objs))
	for _, o := range objs {
		r.sources[o.ID] = o
	}
	r.renames = map[string]map[string]string{}
	r.copies = map[string]string{}
	for _, it := range items {
		if it.Status == api.ItemSucceeded {
			r.copies[it.SourceID] = it.TargetID
		}
		if it.Renamed && it.Status == api.ItemSucceeded {
			if r.renames[it.Kind] == nil {
				r.renames[it.Kind] = map[string]string{}
			}
			r.renames[it.Kind][it.SourceName] = it.TargetName
		}
	}
	if kind == api.KindFileResource || kind == api.KindDeployment {
		if r.srcStore, err = r.e.namespaceStorage(ctx, r.clone.SourceNamespaceID); err != nil {
			return err
		}
		if r.dstStore, err = r.e.namespaceStorage(ctx, r.clone.TargetNamespaceID); err != nil {
			return err
		}
	}
	return nil
}

// prepareItem copies a file resource's bytes into the target's storage under the planned target id, so a
// retry after a crash overwrites the same key.
func (r *cloneRun) prepareItem(ctx context.Context, it cloneItemRecord) cloneExtras {
	if it.Kind != api.KindFileResource {
		return cloneExtras{}
	}
	src, ok := r.sources[it.SourceID]
	if !ok {
		return cloneExtras{}
	}
	spec, _ := specOf[api.FileResourceSpec](src.Object)
	srcKey, err := currentFileKey(ctx, r.srcStore, src.Object)
	if err == nil && srcKey == "" {
		err = fmt.Errorf("its bytes are missing at %s", spec.Location)
	}
	if err != nil {
		return cloneExtras{err: fmt.Errorf("read file resource %q: %w", src.Name, err)}
	}
	dstKey := fileResourcePrefix(r.clone.TargetNamespaceID, it.TargetID) + "cloned/" + src.Name
	info, err := blob.Copy(ctx, r.srcStore, srcKey, r.dstStore, dstKey)
	if err != nil {
		return cloneExtras{err: fmt.Errorf("copy the bytes of file resource %q: %w", src.Name, err)}
	}
	// The copy keeps the origin: the same configuration pointed at the target plans nothing after an import.
	return cloneExtras{fileSpec: &api.FileResourceSpec{Size: info.Size, SHA256: info.SHA256, Location: r.dstStore.Location(dstKey),
		Origin: spec.Origin}}
}

// source reads an item's source object: deployments and session clusters from the store (their status
// moves while the source is locked), the rest from what prepareKind loaded.
func (r *cloneRun) source(tx store.Tx, it cloneItemRecord) (objectRecord, bool, error) {
	if it.Kind != api.KindDeployment && it.Kind != api.KindSessionCluster {
		if o, ok := r.sources[it.SourceID]; ok {
			return o, true, nil
		}
	}
	var o objectRecord
	err := tx.Get(store.Objects, it.SourceID, &o)
	if errors.Is(err, store.ErrNotFound) {
		return o, false, nil
	}
	return o, err == nil, err
}

func failItem(tx store.Tx, it *cloneItemRecord, format string, args ...any) error {
	it.Status, it.Message = api.ItemFailed, fmt.Sprintf(format, args...)
	return putCloneItem(tx, *it)
}

func skipItem(tx store.Tx, it *cloneItemRecord, format string, args ...any) error {
	it.Status, it.Message = api.ItemSkipped, fmt.Sprintf(format, args...)
	return putCloneItem(tx, *it)
}

// cloneObjectTx creates one item's object in the target inside tx, together with the item's outcome, so
// a crash leaves either both or neither: a PENDING item's target object cannot exist, and the target id
// planned for it makes a second insert of the same object impossible. An outcome other than success is
// recorded on the item, not returned: only store errors are.
func (r *cloneRun) cloneObjectTx(tx store.Tx, it *cloneItemRecord, x cloneExtras) error {
	src, ok, err := r.source(tx, *it)
	if err != nil {
		return err
	}
	if !ok {
		return failItem(tx, it, "the source %s was deleted before it was cloned", singular(it.Kind)[2:])
	}
	if x.snapshot == nil {
		it.SnapshotID = "" // planned, but no state is registered with this item
	}
	if x.err != nil {
		return failItem(tx, it, "%v", x.err)
	}
	if it.Kind == api.KindDeployment && x.snapshot == nil {
		if running, status, err := runningStreaming(tx, src); err != nil {
			return err
		} else if running && r.clone.Request.RunningPolicy == api.RunningSkip {
			return skipItem(tx, it, "its streaming job is %s and running_policy is SKIP", status)
		}
	}
	now := r.e.now()
	// The source name is tried first: most names are free, and a refused insert costs less than a lookup.
	name, renamed := src.Name, false
	var rec objectRecord
	var attention []api.AttentionItem
	for attempt := 0; ; attempt++ {
		rec = objectRecord{Object: api.Object{ID: it.TargetID, NamespaceID: r.clone.TargetNamespaceID, Kind: it.Kind, Name: name,
			Spec: src.Spec, Version: 1, ClonedFrom: src.ID, CloneID: r.clone.ID, CreatedAt: now, UpdatedAt: now}, Sealed: src.Sealed}
		if attention, err = r.shapeTarget(tx, &rec, x); err != nil {
			return failItem(tx, it, "%v", err)
		}
		attention = append(attention, x.notes...)
		err = insertObject(tx, rec)
		if err == nil {
			break
		}
		if CodeOf(err) != api.CodeAlreadyExists || attempt > 0 {
			return err
		}
		var refusal string
		if name, renamed, refusal, err = r.targetName(tx, it.Kind, src.Name); err != nil {
			return err
		}
		if refusal != "" {
			if r.clone.Request.NameConflict == api.ConflictSkip {
				return skipItem(tx, it, "%s", refusal)
			}
			return failItem(tx, it, "%s", refusal)
		}
	}
	if x.snapshot != nil {
		if err := putSnapshot(tx, *x.snapshot); err != nil {
			return err
		}
		it.Stateful = true
	}
	it.Status, it.TargetName, it.Renamed, it.TargetVersion, it.Attention = api.ItemSucceeded, name, renamed, rec.Version, attention
	it.Message = x.stateless
	if err := putCloneItem(tx, *it); err != nil {
		return err
	}
	src.LastClonedAt = &now
	return tx.Put(store.Objects, src.ID, objectCols(src.Object), src)
}

// runningStreaming reports whether a deployment's streaming job is running or in transition.
func runningStreaming(tx store.Tx, dep objectRecord) (bool, string, error) {
	spec, err := specOf[api.DeploymentSpec](dep.Object)
	if err != nil || spec.ExecutionMode == api.ModeBatch {
		return false, "", err
	}
	job, ok, err := latestJob(tx, dep.ID)
	if err != nil || !ok {
		return false, "", err
	}
	return jobActive(job.Status), job.Status, nil
}

// targetName applies name_conflict: the name itself when free, else RENAME's first free
// "<name>-clone-<n>", or a refusal for SKIP and FAIL.
func (r *cloneRun) targetName(tx store.Tx, kind, name string) (string, bool, string, error) {
	taken := func(n string) (bool, error) {
		c, err := tx.Count(store.Objects, store.Cols{"namespace_id": r.clone.TargetNamespaceID, "kind": kind, "name": n})
		return c > 0, err
	}
	t, err := taken(name)
	if err != nil || !t {
		return name, false, "", err
	}
	if r.clone.Request.NameConflict != api.ConflictRename {
		return "", false, fmt.Sprintf("the target namespace already has %s named %q (name_conflict %s)", singular(kind), name, r.clone.Request.NameConflict), nil
	}
	for n := 1; ; n++ {
		suffix := fmt.Sprintf("-clone-%d", n)
		cand := name[:min(len(name), 128-len(suffix))] + suffix
		if t, err := taken(cand); err != nil || !t {
			return cand, true, "", err
		}
	}
}

// shapeTarget adapts a copied spec to the target: references rewritten, status STOPPED, state attached.
// It returns what a person must look at afterwards.
func (r *cloneRun) shapeTarget(tx store.Tx, rec *objectRecord, x cloneExtras) ([]api.AttentionItem, error) {
	switch rec.Kind {
	case api.KindFileResource:
		if x.fileSpec == nil {
			return nil, errors.New("its bytes were not copied")
		}
		raw, err := json.Marshal(x.fileSpec)
		rec.Spec = raw
		return nil, err
	case api.KindSessionCluster:
		s, err := specOf[api.SessionClusterSpec](rec.Object)
		if err != nil {
			return nil, err
		}
		s.State, rec.Status = ClonedStatus, ClonedStatus
		rec.Spec, err = json.Marshal(s)
		return nil, err
	case api.KindDraft:
		d, err := specOf[api.DraftSpec](rec.Object)
		if err != nil {
			return nil, err
		}
		var att []api.AttentionItem
		d.SQL, att = r.rewriteCatalogs(rec.Name, d.SQL, nil)
		rec.Spec, err = json.Marshal(d)
		return att, err
	case api.KindDeployment:
		return r.shapeDeployment(tx, rec, x)
	case api.KindUDF, api.KindConnector:
		return r.shapeFileUser(rec)
	}
	return nil, nil
}

// shapeFileUser points a UDF's or connector's file_resource_id at the copy of its file resource. When
// that was not cloned the reference is dropped (an id of another namespace is not valid here) and the
// result says so.
func (r *cloneRun) shapeFileUser(rec *objectRecord) ([]api.AttentionItem, error) {
	g, err := specOf[api.GenericSpec](rec.Object)
	if err != nil || g.FileResourceID == "" {
		return nil, err
	}
	var att []api.AttentionItem
	if to, ok := r.copies[g.FileResourceID]; ok {
		g.FileResourceID = to
	} else {
		att = append(att, api.AttentionItem{Kind: "missing_dependency", Name: g.FileResourceID,
			Detail: fmt.Sprintf("%s %q uses file resource %s, which was not cloned: its copy references no file resource; clone or upload the file and set file_resource_id",
				singular(rec.Kind)[2:], rec.Name, g.FileResourceID)})
		g.FileResourceID = ""
	}
	rec.Spec, err = json.Marshal(g)
	return att, err
}

func (r *cloneRun) shapeDeployment(tx store.Tx, rec *objectRecord, x cloneExtras) ([]api.AttentionItem, error) {
	d, err := specOf[api.DeploymentSpec](rec.Object)
	if err != nil {
		return nil, err
	}
	rec.Status = ClonedStatus
	d.RestorePoint = ""
	if x.snapshot != nil {
		d.RestorePoint = x.snapshot.ID
	}
	var att []api.AttentionItem
	d.SQL, att = r.rewriteCatalogs(rec.Name, d.SQL, d.Catalogs)
	for i, c := range d.Catalogs {
		d.Catalogs[i] = r.mappedCatalog(c)
	}
	rename := func(kind string, names []string) {
		for i, n := range names {
			if to, ok := r.renames[kind][n]; ok {
				names[i] = to
			}
		}
	}
	rename(api.KindFileResource, d.FileResources)
	if d.Jar != nil {
		// A jar.uri naming a file resource by id follows it to its copy.
		if to, ok := r.copies[d.Jar.URI]; ok {
			d.Jar.URI = to
		}
	}
	rename(api.KindUDF, d.UDFs)
	rename(api.KindConnector, d.Connectors)
	rename(api.KindVariable, d.Variables)
	if to, ok := r.renames[api.KindSessionCluster][d.SessionCluster]; ok {
		d.SessionCluster = to
	}
	deps := []struct {
		kind  string
		names []string
	}{{api.KindFileResource, d.FileResources}, {api.KindUDF, d.UDFs}, {api.KindConnector, d.Connectors},
		{api.KindVariable, d.Variables}, {api.KindCatalog, d.Catalogs}}
	if d.SessionCluster != "" {
		deps = append(deps, struct {
			kind  string
			names []string
		}{api.KindSessionCluster, []string{d.SessionCluster}})
	}
	for _, dep := range deps {
		for _, n := range dep.names {
			c, err := tx.Count(store.Objects, store.Cols{"namespace_id": r.clone.TargetNamespaceID, "kind": dep.kind, "name": n})
			if err != nil {
				return nil, err
			}
			if c == 0 {
				att = append(att, api.AttentionItem{Kind: "missing_dependency", Deployment: rec.Name, Name: n,
					Detail: fmt.Sprintf("deployment %q needs %s %q, which the target namespace does not have: clone or create it, or change the deployment",
						rec.Name, singular(dep.kind)[2:], n)})
			}
		}
	}
	rec.Spec, err = json.Marshal(d)
	return att, err
}

// mappedCatalog is the name a catalog reference takes in the target: catalog_mapping first, then a
// rename this clone made of a catalog object.
func (r *cloneRun) mappedCatalog(name string) string {
	if to, ok := r.clone.Request.CatalogMapping[name]; ok {
		return to
	}
	if to, ok := r.renames[api.KindCatalog][name]; ok {
		return to
	}
	return name
}
