package engine

import (
	"path"
	"slices"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/store"
)

// planClone lists the items of a clone, kinds in dependency order and names in order within a kind. Each
// item gets its target id (and, for a stateful deployment, its copied snapshot id) now.
func planClone(tx store.Tx, c api.Clone) ([]cloneItemRecord, error) {
	var items []cloneItemRecord
	for _, kind := range c.ObjectTypes {
		var objs []objectRecord
		if err := tx.List(store.Objects, store.Query{Where: store.Cols{"namespace_id": c.SourceNamespaceID, "kind": kind}, OrderBy: "name"}, &objs); err != nil {
			return nil, err
		}
		for _, o := range objs {
			if kind == api.KindDeployment {
				ok, err := matchesFilter(o.Object, c.Request.DeploymentFilter)
				if err != nil {
					return nil, err
				}
				if !ok {
					continue
				}
			}
			it := cloneItemRecord{CloneItem: api.CloneItem{CloneID: c.ID, Seq: len(items) + 1, Kind: kind, SourceID: o.ID,
				SourceName: o.Name, TargetID: newID(idPrefix[kind]), Status: api.ItemPending}}
			if kind == api.KindDeployment && c.Request.StatePolicy == api.StateStateful {
				it.SnapshotID = newID("snap")
			}
			items = append(items, it)
		}
	}
	return items, nil
}

// matchesFilter applies a deployment filter; empty fields match everything. A deployment that was
// never cloned counts as cloned before any time and after none.
func matchesFilter(o api.Object, f *api.DeploymentFilter) (bool, error) {
	if f == nil {
		return true, nil
	}
	if len(f.Names) > 0 && !slices.ContainsFunc(f.Names, func(g string) bool { ok, _ := path.Match(g, o.Name); return ok }) {
		return false, nil
	}
	spec, err := specOf[api.DeploymentSpec](o)
	if err != nil {
		return false, err
	}
	if len(f.Types) > 0 && !slices.Contains(f.Types, spec.Type) {
		return false, nil
	}
	if len(f.EngineVersions) > 0 && !slices.Contains(f.EngineVersions, spec.EngineVersion) {
		return false, nil
	}
	if len(f.Statuses) > 0 && !slices.Contains(f.Statuses, o.Status) {
		return false, nil
	}
	last := o.LastClonedAt
	if f.LastClonedBefore != nil && last != nil && !last.Before(*f.LastClonedBefore) {
		return false, nil
	}
	if f.LastClonedAfter != nil && (last == nil || !last.After(*f.LastClonedAfter)) {
		return false, nil
	}
	return true, nil
}

// progressOf counts items per kind; the percentage is of items that reached an outcome.
func progressOf(kinds []string, items []cloneItemRecord) api.CloneProgress {
	p := api.CloneProgress{Counts: map[string]api.KindCounts{}}
	for _, k := range kinds {
		p.Counts[k] = api.KindCounts{}
	}
	ended := 0
	for _, it := range items {
		c := p.Counts[it.Kind]
		c.Total++
		switch it.Status {
		case api.ItemSucceeded:
			c.Done++
		case api.ItemFailed:
			c.Failed++
		case api.ItemSkipped:
			c.Skipped++
		}
		if it.Status != api.ItemPending {
			ended++
		}
		p.Counts[it.Kind] = c
	}
	if len(items) == 0 {
		p.Percent = 100
	} else {
		p.Percent = ended * 100 / len(items)
	}
	return p
}

// summarise fills a clone's counts, renames and attention list from its items.
func summarise(c *api.Clone, items []cloneItemRecord) {
	c.Progress = progressOf(c.ObjectTypes, items)
	c.TotalCount, c.FailedCount, c.SkippedCount = len(items), 0, 0
	c.Renames, c.Attention = []api.Rename{}, []api.AttentionItem{}
	for _, it := range items {
		switch it.Status {
		case api.ItemFailed:
			c.FailedCount++
		case api.ItemSkipped:
			c.SkippedCount++
		}
		if it.Renamed {
			c.Renames = append(c.Renames, api.Rename{Kind: it.Kind, SourceName: it.SourceName, TargetName: it.TargetName})
		}
		c.Attention = append(c.Attention, it.Attention...)
	}
}

// addProgress counts items that just reached an outcome into the task's stored progress, in the
// transaction that recorded them, so reading progress never needs the item list.
func addProgress(tx store.Tx, cloneID string, ended []cloneItemRecord) error {
	if len(ended) == 0 {
		return nil
	}
	var c cloneRecord
	if err := tx.Get(store.Clones, cloneID, &c); err != nil {
		return err
	}
	if c.Progress.Counts == nil {
		c.Progress.Counts = map[string]api.KindCounts{}
	}
	for _, it := range ended {
		k := c.Progress.Counts[it.Kind]
		switch it.Status {
		case api.ItemSucceeded:
			k.Done++
		case api.ItemFailed:
			k.Failed++
			c.FailedCount++
		case api.ItemSkipped:
			k.Skipped++
			c.SkippedCount++
		}
		c.Progress.Counts[it.Kind] = k
	}
	reached := 0
	for _, k := range c.Progress.Counts {
		reached += k.Done + k.Failed + k.Skipped
	}
	if c.TotalCount > 0 {
		c.Progress.Percent = reached * 100 / c.TotalCount
	}
	return putClone(tx, c)
}
