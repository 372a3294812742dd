package provider

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// planFileDigest: unchanged bytes keep the state's digest, changed bytes plan the new one, a source not
// known yet plans unknown, and an unreadable source fails on `source`.
func TestPlanFileDigest(t *testing.T) {
	const helloSHA = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824" // sha256("hello")
	state := &fileResourceModel{Size: types.Int64Value(5), SHA256: types.StringValue(helloSHA)}
	src := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(src, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name      string
		plan      fileResourceModel
		state     *fileResourceModel
		wantSHA   types.String
		wantError bool
	}{
		{"content on create", fileResourceModel{Content: types.StringValue("hello")}, nil, types.StringValue(helloSHA), false},
		{"same source bytes", fileResourceModel{Source: types.StringValue(src)}, state, state.SHA256, false},
		{"changed content", fileResourceModel{Content: types.StringValue("hello!")}, state,
			types.StringValue("ce06092fb948d9ffac7d1a376e404b26b7575bcc11ee05a4615fef4fec3a308b"), false},
		{"source not known yet", fileResourceModel{Source: types.StringUnknown()}, state, types.StringUnknown(), false},
		{"unreadable source", fileResourceModel{Source: types.StringValue(src + ".missing")}, state, types.String{}, true},
	}
	for _, c := range cases {
		var diags diag.Diagnostics
		plan := c.plan
		planFileDigest(&plan, c.state, &diags)
		if diags.HasError() != c.wantError {
			t.Fatalf("%s: diagnostics %v", c.name, diags)
		}
		if !c.wantError && !plan.SHA256.Equal(c.wantSHA) {
			t.Errorf("%s: planned sha256 %s, want %s", c.name, plan.SHA256, c.wantSHA)
		}
	}
}

// stringMapValue reads "nothing" as {} so that a configured {} and an import agree.
func TestStringMapValueIsNeverNull(t *testing.T) {
	if v := stringMapValue(nil); v.IsNull() || len(v.Elements()) != 0 {
		t.Fatalf("nil map read as %s, want {}", v)
	}
	if v := stringMapValue(map[string]string{"a": "b"}); len(v.Elements()) != 1 {
		t.Fatalf("one entry read as %s", v)
	}
}
