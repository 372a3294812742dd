package provider_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/streamstate/terraform-provider-flink/internal/acctest"
	"github.com/streamstate/terraform-provider-flink/internal/api"
)

// Every change of a draft is a new version the engine keeps.
func TestAccDraft(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.CreateNamespace(t, acctest.CreateWorkspace(t).ID)
	config := func(sql string) string {
		return fmt.Sprintf("resource \"flink_draft\" \"test\" {\n  namespace_id = %q\n  name = \"report\"\n  engine_version = \"flink-1.20\"\n  sql = %q\n}\n", ns.ID, sql)
	}
	steps := objectSteps(t, "flink_draft.test",
		config("SELECT 1"), config("SELECT 2"),
		api.DraftSpec{Type: "SQL", EngineVersion: "flink-1.20", SQL: "SELECT 1"},
		api.DraftSpec{Type: "SQL", EngineVersion: "flink-1.20", SQL: "SELECT 2"},
		specIs(t, "flink_draft.test"))
	steps[1].Check = resource.ComposeAggregateTestCheckFunc(steps[1].Check, func(s *terraformState) error {
		var id string
		if err := acctest.IDFrom("flink_draft.test", &id)(s); err != nil {
			return err
		}
		versions, err := acctest.Client(t).ListObjectVersions(acctest.Context(t), id)
		if err != nil {
			return err
		}
		if len(versions) != 2 {
			return fmt.Errorf("the draft has %d versions after one update, want 2", len(versions))
		}
		return nil
	})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkObjectsDestroyed("flink_draft"),
		Steps:                    steps,
	})
}
