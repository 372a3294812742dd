package provider_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The registry groups pages by subcategory, and users copy import examples: every resource and data
// source page has a subcategory, every importable resource shows an import block as well as the
// command, and data-source examples read at plan time (no depends_on, which defers the read to apply).
func TestDocsConformance(t *testing.T) {
	subcategory := regexp.MustCompile(`(?m)^subcategory: "([^"]+)"$`)
	for _, dir := range []string{"resources", "data-sources"} {
		pages, err := filepath.Glob(filepath.Join("..", "..", "docs", dir, "*.md"))
		if err != nil || len(pages) == 0 {
			t.Fatalf("no pages in docs/%s (%v)", dir, err)
		}
		for _, page := range pages {
			src, err := os.ReadFile(page)
			if err != nil {
				t.Fatal(err)
			}
			text := string(src)
			if !subcategory.MatchString(text) {
				t.Errorf("%s has no subcategory: add the resource to templates/%s.md.tmpl's list", page, dir)
			}
			if strings.Contains(text, "terraform import ") && !strings.Contains(text, "import {") {
				t.Errorf("%s shows `terraform import` but no import block: add import-by-string-id.tf beside import.sh", page)
			}
		}
	}
	examples, _ := filepath.Glob(filepath.Join("..", "..", "examples", "data-sources", "*", "*.tf"))
	for _, ex := range examples {
		src, err := os.ReadFile(ex)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(src), "depends_on") {
			t.Errorf("%s uses depends_on: the data source would read only at apply; refer to an attribute instead", ex)
		}
	}
}
