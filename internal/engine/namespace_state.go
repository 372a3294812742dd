package engine

import (
	"context"
	"fmt"
	"strings"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/store"
)

// The rule for a namespace whose snapshot is another namespace's restore point: deleting the namespace,
// even forced, is refused (snapshot_in_use) until those deployments change their restore_point or are
// deleted. The snapshot lives in the namespace's storage and its records hang off the namespace: keeping
// it past the namespace would leave records and files no API can reach. The refusal names the snapshots
// and counts the dependants; it names a dependant deployment only when the caller can see it.

// checkNoOutsideDependants refuses when a snapshot of the namespace is the restore point of a deployment
// in another namespace.
func checkNoOutsideDependants(tx store.Tx, p Principal, ns api.Namespace) error {
	var snaps []api.Snapshot
	if err := tx.List(store.Snapshots, store.Query{Where: store.Cols{"namespace_id": ns.ID}}, &snaps); err != nil {
		return err
	}
	if len(snaps) == 0 {
		return nil
	}
	points, err := restorePoints(tx)
	if err != nil {
		return err
	}
	var used, visible []string
	hidden := 0
	for _, s := range snaps {
		outside := false
		for _, depID := range points[s.ID] {
			var dep objectRecord
			if tx.Get(store.Objects, depID, &dep) != nil || dep.NamespaceID == ns.ID {
				continue
			}
			outside = true
			if role, err := roleOn(tx, p, dep.NamespaceID); err == nil && role != "" {
				visible = append(visible, dep.ID)
			} else {
				hidden++
			}
		}
		if outside {
			used = append(used, s.ID)
		}
	}
	if len(used) == 0 {
		return nil
	}
	who := fmt.Sprintf("%d deployment(s) in other namespaces", len(visible)+hidden)
	if len(visible) > 0 {
		who += " (" + strings.Join(visible, ", ")
		if hidden > 0 {
			who += fmt.Sprintf(" and %d you cannot see", hidden)
		}
		who += ")"
	}
	return errf(api.CodeSnapshotInUse, "namespace %q cannot be deleted: its snapshot(s) %s are the restore point of %s; "+
		"change their restore_point or delete them first (their owners may need to)", ns.Name, strings.Join(used, ", "), who)
}

// deleteNamespaceSnapshots removes the snapshots left in a namespace once its deployments are gone
// (restore points kept for deployments since deleted), each marked DELETING before its files go.
func (e *Engine) deleteNamespaceSnapshots(ctx context.Context, nsID string) error {
	var doomed []api.Snapshot
	err := e.store.Update(ctx, func(tx store.Tx) error {
		doomed = nil
		if err := tx.List(store.Snapshots, store.Query{Where: store.Cols{"namespace_id": nsID}}, &doomed); err != nil {
			return err
		}
		for _, s := range doomed {
			if e.pins.pinned(s.ID) {
				return errf(api.CodeSnapshotInUse, "snapshot %s of the namespace is being read by a start, restore or clone: retry when it ends", s.ID)
			}
		}
		return markDeleting(tx, doomed)
	})
	if err != nil {
		return err
	}
	return e.removeSnapshots(ctx, doomed)
}
