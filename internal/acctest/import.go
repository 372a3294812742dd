package acctest

import (
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
)

// ImportBlockStep is the import test every resource has: a fresh working directory plans the previous
// step's configuration with an `import { to = addr, id = ... }` block (the id taken from the state), and
// that plan must import the resource and change nothing, on it or on anything else. A resource whose
// read-back differs from what users write (a default missing after import, a value in another form)
// fails here with the attribute that would change. also are further checks of that plan (the values the
// import read back).
func ImportBlockStep(addr string, also ...plancheck.PlanCheck) resource.TestStep {
	return resource.TestStep{
		ResourceName:    addr,
		ImportState:     true,
		ImportStateKind: resource.ImportBlockWithID,
		ImportPlanChecks: resource.ImportPlanChecks{
			PreApply: append([]plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}, also...),
		},
	}
}

// ImportBlockStepThenUpdate is ImportBlockStep for a resource holding a value the engine never returns
// (an ENCRYPTED variable's value, a provider-only flag such as force_destroy): the plan after the import
// updates it in place, and replaces or deletes nothing.
func ImportBlockStepThenUpdate(addr string) resource.TestStep {
	return resource.TestStep{
		ResourceName:       addr,
		ImportState:        true,
		ImportStateKind:    resource.ImportBlockWithID,
		ExpectNonEmptyPlan: true,
		ImportPlanChecks: resource.ImportPlanChecks{
			PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
		},
	}
}
