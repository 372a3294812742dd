package engine

import (
	"regexp"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/store"
)

// Ids that arrive in a request body (a restore point, a snapshot to start from, the namespaces of a
// clone, a namespace's storage path in a JAR URI) are authorized like ids in a path. A caller with no
// role at all on the namespace an id belongs to learns nothing about it: the id reads as not found, and
// the message repeats only what the caller sent.

// requireBodyRole checks the caller's role on nsID for an id (what, id) the caller named in a body.
func requireBodyRole(tx store.Tx, p Principal, nsID, role, what, id string) (api.Namespace, error) {
	have, err := roleOn(tx, p, nsID)
	if err != nil {
		return api.Namespace{}, err
	}
	if have == "" {
		return api.Namespace{}, notFound(what, id)
	}
	return requireRole(tx, p, nsID, role)
}

// visibleSnapshot loads a snapshot the caller named in a body; it needs VIEWER on the snapshot's
// namespace, otherwise it is not found.
func visibleSnapshot(tx store.Tx, p Principal, field, id string) (api.Snapshot, error) {
	var s api.Snapshot
	if err := tx.Get(store.Snapshots, id, &s); err != nil {
		return s, notFound(field+": snapshot", id)
	}
	if _, err := requireBodyRole(tx, p, s.NamespaceID, api.RoleViewer, field+": snapshot", id); err != nil {
		return s, err
	}
	return s, nil
}

// storagePathNamespace finds a namespace id inside a storage location (…/namespaces/ns-…/…).
var storagePathNamespace = regexp.MustCompile(`namespaces/(ns-[0-9a-f]+)(/|$)`)

// checkDeploymentReferences authorizes what a deployment spec names outside itself. The references to
// file resources, UDFs, connectors, variables, catalogs, the session cluster and the queue are names,
// always resolved in the deployment's own namespace; a restore point and a storage path in jar.uri may
// point into another namespace and need VIEWER there.
func checkDeploymentReferences(tx store.Tx, p Principal, nsID string, d api.DeploymentSpec) error {
	refs := map[string][]string{"spec.file_resources": d.FileResources, "spec.udfs": d.UDFs, "spec.connectors": d.Connectors,
		"spec.variables": d.Variables, "spec.catalogs": d.Catalogs, "spec.session_cluster": {d.SessionCluster}, "spec.queue": {d.Queue}}
	for field, names := range refs {
		for _, n := range names {
			if n == "" && (field == "spec.session_cluster" || field == "spec.queue") {
				continue
			}
			if err := validName(field, n); err != nil {
				return invalid(field, "%q is not an object name: references name objects of the deployment's own namespace", n)
			}
		}
	}
	if d.RestorePoint != "" {
		if _, err := visibleSnapshot(tx, p, "spec.restore_point", d.RestorePoint); err != nil {
			return err
		}
	}
	if d.Jar != nil {
		for _, m := range storagePathNamespace.FindAllStringSubmatch(d.Jar.URI, -1) {
			if m[1] == nsID {
				continue
			}
			if _, err := requireBodyRole(tx, p, m[1], api.RoleViewer, "spec.jar.uri: storage path", d.Jar.URI); err != nil {
				return err
			}
		}
	}
	return nil
}
