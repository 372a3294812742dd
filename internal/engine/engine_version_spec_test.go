package engine_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/streamstate/terraform-provider-flink/internal/api"
)

// Drafts and session clusters may leave engine_version out, but one they give must parse, as a
// deployment's must: the provider checks the same rule at plan time.
func TestDraftAndSessionClusterEngineVersion(t *testing.T) {
	t.Parallel()
	_, c, ns := oneNamespace(t)
	c.Object(t, ns.ID, api.KindDraft, "d0", api.DraftSpec{SQL: "SELECT 1"})
	c.Object(t, ns.ID, api.KindDraft, "d1", api.DraftSpec{SQL: "SELECT 1", EngineVersion: "flink-1.20"})
	c.Object(t, ns.ID, api.KindSessionCluster, "s0", api.SessionClusterSpec{})
	c.Object(t, ns.ID, api.KindSessionCluster, "s1", api.SessionClusterSpec{EngineVersion: "vvr-8.0.9-flink-1.17"})
	for kind, spec := range map[string]any{
		api.KindDraft:          api.DraftSpec{SQL: "SELECT 1", EngineVersion: "1.20"},
		api.KindSessionCluster: api.SessionClusterSpec{EngineVersion: "1.20"},
	} {
		prob := c.Fails(t, http.StatusBadRequest, api.CodeInvalidArgument, "POST", "/namespaces/"+ns.ID+"/objects/"+kind,
			api.ObjectInput{Name: "bad", Spec: mustJSON(spec)})
		if !strings.Contains(prob.Detail, "spec.engine_version") || !strings.Contains(prob.Detail, `"1.20"`) {
			t.Fatalf("%s: the refusal should name the field and the value: %s", kind, prob.Detail)
		}
	}
}
