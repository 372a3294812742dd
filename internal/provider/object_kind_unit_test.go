package provider

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/streamstate/terraform-provider-flink/internal/api"
)

func TestResourceTypeForKind(t *testing.T) {
	for kind, want := range map[string]string{
		api.KindVariable: "flink_variable", api.KindDeployment: "flink_deployment", api.KindUDF: "flink_udf",
		api.KindFileResource: "flink_file_resource", api.KindSessionCluster: "flink_session_cluster",
		api.KindCatalog: "flink_catalog", api.KindDraft: "flink_draft",
	} {
		if got := resourceTypeForKind(kind); got != want {
			t.Errorf("resourceTypeForKind(%q) = %q, want %q", kind, got, want)
		}
	}
}

func TestCheckObjectKind(t *testing.T) {
	var diags diag.Diagnostics
	if !checkObjectKind(&diags, "flink_variable", api.KindVariable, api.Object{ID: "o1", Kind: api.KindVariable}) || diags.HasError() {
		t.Fatalf("a variable was refused as a variable: %v", diags)
	}
	if checkObjectKind(&diags, "flink_variable", api.KindVariable, api.Object{ID: "o2", Name: "orders", Kind: api.KindDeployment}) {
		t.Fatal("a deployment was accepted as a variable")
	}
	if len(diags) != 1 {
		t.Fatalf("want one diagnostic, got %v", diags)
	}
	detail := diags[0].Detail()
	for _, want := range []string{"o2", `"orders"`, "deployments", "flink_deployment", "Nothing was changed"} {
		if !strings.Contains(detail, want) {
			t.Errorf("diagnostic %q does not mention %q", detail, want)
		}
	}
}
