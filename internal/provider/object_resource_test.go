package provider_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/streamstate/terraform-provider-flink/internal/acctest"
)

// objectSteps are the steps every object resource passes: create, update in place, an import block that
// plans nothing, an import that reads back what was applied, and a deletion outside Terraform noticed
// (the next plan creates it again). engineSpec checks the engine's spec after create and update.
func objectSteps(t *testing.T, addr string, create, update string, created, updated any, engineSpec func(want any) resource.TestCheckFunc) []resource.TestStep {
	var id string
	return []resource.TestStep{
		{Config: create, Check: resource.ComposeAggregateTestCheckFunc(acctest.IDFrom(addr, &id), engineSpec(created))},
		{
			Config: update,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
			}},
			Check: engineSpec(updated),
		},
		acctest.ImportBlockStep(addr),
		{ResourceName: addr, ImportState: true, ImportStateVerify: true},
		{
			PreConfig: func() {
				if err := acctest.Client(t).DeleteObject(acctest.Context(t), id); err != nil {
					t.Fatal(err)
				}
			},
			Config: update,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate),
			}},
		},
	}
}

// specIs checks that the engine's spec of the object at addr decodes to want (a value of the spec type).
func specIs(t *testing.T, addr string) func(want any) resource.TestCheckFunc {
	return func(want any) resource.TestCheckFunc {
		return func(s *terraformState) error {
			var id string
			if err := acctest.IDFrom(addr, &id)(s); err != nil {
				return err
			}
			obj, err := acctest.Client(t).GetObject(acctest.Context(t), id)
			if err != nil {
				return err
			}
			got := reflect.New(reflect.TypeOf(want))
			if err := json.Unmarshal(obj.Spec, got.Interface()); err != nil {
				return err
			}
			if !reflect.DeepEqual(got.Elem().Interface(), want) {
				return fmt.Errorf("%s: engine spec %+v, want %+v", addr, got.Elem().Interface(), want)
			}
			return nil
		}
	}
}
