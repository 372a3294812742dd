package provider_test

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/streamstate/terraform-provider-flink/internal/acctest"
)

// Issue 11 item 12: a name the engine would refuse fails `terraform plan`, with the engine's own rule
// (internal/api), instead of being trimmed by the engine and reported as an inconsistent result.
func TestAccNamesCheckedAtPlanTime(t *testing.T) {
	acctest.PreCheck(t)
	step := func(config, want string) resource.TestStep {
		return resource.TestStep{Config: config, PlanOnly: true, ExpectError: regexp.MustCompile(want)}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			step(`
resource "flink_workspace" "w" {
  name   = "trailing "
  region = "r"
}`, `(?s)Invalid name.*starts\s+or\s+ends\s+with\s+white\s+space`),
			step(`
resource "flink_workspace" "w" {
  name   = "tab\there"
  region = "r"
}`, `(?s)Invalid name.*control\s+character`),
			step(`
resource "flink_namespace" "n" {
  workspace_id = "ws-unused"
  name         = " spaced"
}`, `(?s)Invalid name.*not\s+a\s+valid\s+name`),
			step(`
resource "flink_api_token" "t" {
  user = "bob smith"
}`, `(?s)Invalid name.*not\s+a\s+valid\s+user\s+name`),
			step(`
resource "flink_variable" "v" {
  namespace_id = "ns-unused"
  name         = "`+longName+`"
  value        = "x"
}`, `(?s)Invalid name.*at\s+most\s+128`),
		},
	})
}

const longName = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
