package engine

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/store"
)

// A file resource is referenced by deployments (by name in spec.file_resources, by id in spec.jar.uri)
// and by UDFs and connectors (by id in spec.file_resource_id). Deleting one that is referenced would
// break its users at their next start, so it is refused while any reference stays.

// fileResourceUsers names the objects of file resource f's namespace that reference it, such as
// `deployment "etl"`, sorted.
func fileResourceUsers(tx store.Tx, f api.Object) ([]string, error) {
	var users []string
	var deps []objectRecord
	if err := tx.List(store.Objects, store.Query{Where: store.Cols{"namespace_id": f.NamespaceID, "kind": api.KindDeployment}}, &deps); err != nil {
		return nil, err
	}
	for _, d := range deps {
		spec, err := specOf[api.DeploymentSpec](d.Object)
		if err != nil {
			return nil, err
		}
		if slices.Contains(spec.FileResources, f.Name) || (spec.Jar != nil && spec.Jar.URI == f.ID) {
			users = append(users, fmt.Sprintf("deployment %q", d.Name))
		}
	}
	for _, kind := range []string{api.KindUDF, api.KindConnector} {
		var objs []objectRecord
		if err := tx.List(store.Objects, store.Query{Where: store.Cols{"namespace_id": f.NamespaceID, "kind": kind}}, &objs); err != nil {
			return nil, err
		}
		for _, o := range objs {
			spec, err := specOf[api.GenericSpec](o.Object)
			if err != nil {
				return nil, err
			}
			if spec.FileResourceID == f.ID {
				users = append(users, fmt.Sprintf("%s %q", singular(kind)[2:], o.Name))
			}
		}
	}
	slices.Sort(users)
	return users, nil
}

// checkFileResourceUnused refuses (409) the deletion of a file resource that something still uses,
// naming every user, so the caller knows what to change first.
func checkFileResourceUnused(tx store.Tx, f api.Object) error {
	users, err := fileResourceUsers(tx, f)
	if err != nil || len(users) == 0 {
		return err
	}
	return errf(api.CodeConflict, "file resource %q is used by %s: remove the reference from %s (or delete %s) first, then delete the file resource",
		f.Name, strings.Join(users, ", "), pronoun(len(users), "it"), pronoun(len(users), "it"))
}

func pronoun(n int, one string) string {
	if n == 1 {
		return one
	}
	return "them"
}

// checkFileResourceReference validates spec.file_resource_id of a UDF or connector: the id of a file
// resource of the same namespace, not being deleted. Other kinds take no file resource.
func checkFileResourceReference(tx store.Tx, nsID, kind string, g api.GenericSpec) error {
	if g.FileResourceID == "" {
		return nil
	}
	if kind != api.KindUDF && kind != api.KindConnector {
		return invalid("spec.file_resource_id", "only UDFs and connectors reference a file resource; remove it from %s", singular(kind))
	}
	var f objectRecord
	err := tx.Get(store.Objects, g.FileResourceID, &f)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if err != nil || f.Kind != api.KindFileResource || f.NamespaceID != nsID || f.Status == StatusDeleting {
		return invalid("spec.file_resource_id", "%q is not the id of a file resource in this namespace: upload the file as a file resource and use its id", g.FileResourceID)
	}
	return nil
}
