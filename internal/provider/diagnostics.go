package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/streamstate/terraform-provider-flink/internal/client"
)

// addClientError turns a client error into a diagnostic that says what went wrong and what to do.
// summary names the action, e.g. "Creating flink_namespace \"dev\"".
func addClientError(diags *diag.Diagnostics, summary string, err error) {
	diags.AddError(summary+" failed", explain(err))
}

func explain(err error) string {
	e, isEngine := client.AsError(err)
	switch {
	case client.IsUnreachable(err):
		return "The flink-engine could not be reached: " + err.Error() + ". Check that it is running and that the " +
			"provider's endpoint (or " + EnvEndpoint + ") points at it."
	case !isEngine:
		return err.Error()
	case client.IsUnauthenticated(err):
		return "The engine rejected the API token: " + e.Message + ". Set the provider's token (or " + EnvToken +
			") to a valid, unrevoked token."
	case client.IsStorageFailure(err):
		return "The namespace's storage refused the operation (" + e.Code + "): " + e.Message + ". Nothing is wrong " +
			"with the configuration: fix the storage (free space, make it writable, grant the workspace's credentials " +
			"the action named) or ask the engine admin, then apply again."
	case client.IsForbidden(err):
		return "Permission denied: " + e.Message + ". The provider's token belongs to a user who may not do this: " +
			"a namespace OWNER grants roles (flink_namespace_member); workspaces are created, and their owner and " +
			"storage set, by the engine admin. Use a token of a user who may."
	case client.IsHeldByAClone(err):
		// The engine's message for a clone refused this way already says to wait for the other clone.
		msg := "Namespace in another clone: " + e.Message + "."
		if client.IsLocked(err) {
			msg = "Locked: " + e.Message + "."
			if e.TaskID != "" {
				msg += " Clone task " + e.TaskID + " holds this namespace."
			}
			msg += " Configuration changes are refused while a clone runs: wait for it to finish (or cancel it), then apply again."
		}
		if e.LockWaited > 0 {
			return msg + " The provider waited " + e.LockWaited.String() + " for it (lock_timeout, bounded by the " +
				"resource's timeouts): raise lock_timeout or the timeouts to wait longer."
		}
		return msg + " Set the provider's lock_timeout (or " + EnvLockTimeout + ") to let changes wait for the clone."
	case client.IsStale(err):
		return "The object changed outside Terraform since it was last read: " + e.Message + ". Run terraform " +
			"apply again: it refreshes the state first and plans against the current version."
	case client.IsInvalid(err):
		return "The engine refused the configuration: " + e.Message + "."
	}
	return err.Error()
}
