package provider

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/client"
)

// A resource whose engine call is a PUT (snapshot policy, membership) would silently take over what
// already exists, and two resources declaring the same thing would then fight on every plan. Their
// Create sends create_only, and the engine answers already_exists instead.

// isAlreadyExists reports the engine's refusal of a create_only PUT.
func isAlreadyExists(err error) bool { return client.HasCode(err, api.CodeAlreadyExists) }

// addAlreadyExists is the diagnostic of such a refusal: what exists and how to import it.
func addAlreadyExists(diags *diag.Diagnostics, typeName, importID string, err error) {
	msg := err.Error()
	if e, ok := client.AsError(err); ok {
		msg = e.Message
	}
	diags.AddError(typeName+" already exists: import it",
		fmt.Sprintf("%s. Creating it would take over what another configuration (or a person) manages. Import it "+
			"instead, with an import block:\n\nimport {\n  to = %s.<name>\n  id = %q\n}\n\nor `terraform import "+
			"%s.<name> %s`; or remove the other resource that declares it.", msg, typeName, importID, typeName, importID))
}
