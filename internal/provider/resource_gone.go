package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// removeGone is what a Read does when the engine no longer has the thing (deleted outside Terraform):
// it warns, so that the create in the next plan is explained, and removes the resource from the state.
func removeGone(ctx context.Context, resp *resource.ReadResponse, typeName, id string) {
	resp.Diagnostics.AddWarning(typeName+" "+id+" no longer exists",
		fmt.Sprintf("The engine has no %s with id %s: it was deleted outside Terraform. It is removed from the "+
			"state, and the next plan creates it again if the configuration still declares it.", typeName, id))
	resp.State.RemoveResource(ctx)
}
