package api_test

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/streamstate/terraform-provider-flink/internal/api"
)

func TestNameRules(t *testing.T) {
	for _, c := range []struct {
		name                     string
		display, ident, userName bool
	}{
		{"orders", true, true, true},
		{"My Workspace", true, false, false},
		{"a.b_c-d", true, true, true},
		{"alice@example.com", true, false, true},
		{"", false, false, false},
		{" lead", false, false, false},
		{"trail ", false, false, false},
		{"tab\tinside", false, false, false},
		{"nul\x00", false, false, false},
		{"line\u2028sep", false, false, false},
		{"\xff", false, false, false},
		{"-leading-dash", true, false, false},
		{strings.Repeat("a", api.MaxNameLength), true, true, true},
		{strings.Repeat("a", api.MaxNameLength+1), false, false, false},
	} {
		if got := api.ValidateDisplayName(c.name) == nil; got != c.display {
			t.Errorf("ValidateDisplayName(%q) ok = %v, want %v", c.name, got, c.display)
		}
		if got := api.ValidateIdentifierName(c.name) == nil; got != c.ident {
			t.Errorf("ValidateIdentifierName(%q) ok = %v, want %v", c.name, got, c.ident)
		}
		if got := api.ValidateUserName(c.name) == nil; got != c.userName {
			t.Errorf("ValidateUserName(%q) ok = %v, want %v", c.name, got, c.userName)
		}
	}
}

// FuzzNames: whatever a rule accepts has no control character, no edge white space, valid UTF-8 and
// at most MaxNameLength bytes; identifier and user names are display names too; an error quotes at
// most a short excerpt. The seeds run in every `go test`.
func FuzzNames(f *testing.F) {
	for _, seed := range []string{"orders", " x", "x ", "a\x00b", "a\nb", "\u00a0x", "é", "\xff", strings.Repeat("z", 300), "a@b", ".x", "x.", "日本"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, name string) {
		for _, rule := range []func(string) error{api.ValidateDisplayName, api.ValidateIdentifierName, api.ValidateUserName} {
			err := rule(name)
			if err != nil {
				if len(err.Error()) > 200 {
					t.Fatalf("error of %d bytes for a %d-byte name", len(err.Error()), len(name))
				}
				continue
			}
			if len(name) == 0 || len(name) > api.MaxNameLength || !utf8.ValidString(name) {
				t.Fatalf("accepted %q", name)
			}
			first, _ := utf8.DecodeRuneInString(name)
			last, _ := utf8.DecodeLastRuneInString(name)
			if unicode.IsSpace(first) || unicode.IsSpace(last) || strings.IndexFunc(name, unicode.IsControl) >= 0 {
				t.Fatalf("accepted %q", name)
			}
		}
		if api.ValidateIdentifierName(name) == nil && api.ValidateDisplayName(name) != nil {
			t.Fatalf("%q is an identifier but not a display name", name)
		}
	})
}
