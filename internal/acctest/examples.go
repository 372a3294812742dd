package acctest

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// Blocks an example has for users that a test supplies itself: the test framework serves the provider,
// and the test points it at its engine. Only a provider block with nothing but comments in it (settings
// from FLINK_ENDPOINT and FLINK_TOKEN) is left out; one with settings stays.
var (
	terraformBlock = regexp.MustCompile(`(?s)terraform \{.*?\n\}\n`)
	providerBlock  = regexp.MustCompile(`(?m)^provider "flink" \{\n(?:[ \t]*(?:#.*)?\n)*\}\n`)
)

// ExampleConfig concatenates the .tf files of examples/<dirs...> (recursively), without their terraform
// and provider "flink" blocks, skipping the files named in skip.
func ExampleConfig(t *testing.T, dirs []string, skip ...string) string {
	t.Helper()
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, dir := range dirs {
		err := filepath.WalkDir(filepath.Join(root, "examples", dir), func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || filepath.Ext(path) != ".tf" || slices.Contains(skip, d.Name()) {
				return err
			}
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			hcl := providerBlock.ReplaceAllString(terraformBlock.ReplaceAllString(string(src), ""), "")
			b.WriteString("# " + path + "\n" + hcl + "\n")
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}
