package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/client"
)

// Every namespace object (variable, deployment, file resource, ...) lives under one id space
// (/api/v1/objects/{id}), so an id copied from the wrong resource reads back as *some* object. A
// resource that took it would see its own attributes as null and plan a replacement whose delete
// removes the other object (a deployment with its job and snapshots). Every object resource therefore
// checks the kind on import and on every read, and fails instead.

// resourceTypeForKind names the resource that manages objects of an api.Kind* ("deployments" →
// flink_deployment), for messages that say which resource to use instead.
func resourceTypeForKind(kind string) string {
	name := strings.TrimSuffix(kind, "s")
	if kind == api.KindUDF {
		name = "udf"
	}
	return "flink_" + name
}

// checkObjectKind reports an error on `id` when obj is not of the kind the resource typeName manages.
func checkObjectKind(diags *diag.Diagnostics, typeName, want string, obj api.Object) bool {
	if obj.Kind == want {
		return true
	}
	diags.AddAttributeError(path.Root("id"), "Wrong kind of object for "+typeName,
		fmt.Sprintf("Object %s (%q) is one of the namespace's %s, not one of its %s: %s manages only %s. Use the id "+
			"of one of the namespace's %s, or manage this object with %s. Nothing was changed.",
			obj.ID, obj.Name, obj.Kind, want, typeName, want, want, resourceTypeForKind(obj.Kind)))
	return false
}

// importObjectOfKind is the ImportState of every namespace object resource: it looks the id up and
// refuses an object of another kind (or no object at all) before anything reaches the state.
func importObjectOfKind(ctx context.Context, c *client.Client, typeName, want string,
	req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if c != nil {
		obj, err := c.GetObject(ctx, req.ID)
		switch {
		case client.IsNotFound(err):
			resp.Diagnostics.AddAttributeError(path.Root("id"), "Cannot import "+typeName,
				fmt.Sprintf("The engine has no object with id %q: use the id shown by the engine's API or "+
					"`terraform state show` for one of the namespace's %s.", req.ID, want))
			return
		case err != nil:
			addClientError(&resp.Diagnostics, "Importing "+typeName+" "+req.ID, err)
			return
		case !checkObjectKind(&resp.Diagnostics, typeName, want, obj):
			return
		}
	}
	resource.ImportStatePassthroughID(ctx, path.Root("id"), req, resp)
}
