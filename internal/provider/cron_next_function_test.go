package provider_test

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/streamstate/terraform-provider-flink/internal/acctest"
)

// cron_next applies the 10-minute floor ("0/5 14 * * *" fires at 14:00, 14:10, 14:20) and evaluates in
// the given zone; no engine call is involved.
func TestAccCronNextFunction(t *testing.T) {
	acctest.PreCheck(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		// Provider-defined functions need Terraform 1.8 (OpenTofu 1.7).
		TerraformVersionChecks: []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_8_0)},
		Steps: []resource.TestStep{
			{
				Config: `
output "floored" {
  value = join(",", provider::flink::cron_next("0/5 14 * * *", "UTC", "2024-05-01T00:00:00Z", 3))
}
output "berlin" {
  value = join(",", provider::flink::cron_next("15 10 * * *", "Europe/Berlin", "2024-03-30T12:00:00Z", 2))
}
output "or_days" {
  value = join(",", provider::flink::cron_next("0 12 1 * 5", "UTC", "2024-05-01T12:00:00Z", 3))
}
`,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckOutput("floored", "2024-05-01T14:00:00Z,2024-05-01T14:10:00Z,2024-05-01T14:20:00Z"),
					// Berlin moves to summer time on 2024-03-31: 10:15 is 09:15 UTC, then 08:15 UTC.
					resource.TestCheckOutput("berlin", "2024-03-31T08:15:00Z,2024-04-01T08:15:00Z"),
					// Day-of-month 1 OR Friday.
					resource.TestCheckOutput("or_days", "2024-05-03T12:00:00Z,2024-05-10T12:00:00Z,2024-05-17T12:00:00Z"),
				),
			},
			{
				Config: `
output "bad" {
  value = provider::flink::cron_next("0 12 ? * *", "UTC", "2024-05-01T00:00:00Z", 3)
}
`,
				ExpectError: regexp.MustCompile(`(?s)Invalid value for "cron" parameter: "0 12 \? \* \*": the\s+day-of-month\s+field\s+\("\?"\)\s+is\s+wrong:\s+"\?"\s+is\s+not\s+supported`),
			},
			{
				Config: `
output "bad" {
  value = provider::flink::cron_next("0 12 * * *", "UTC", "yesterday", 3)
}
`,
				ExpectError: regexp.MustCompile(`(?s)Invalid value for "after" parameter: "yesterday" is not an RFC 3339\s+time`),
			},
		},
	})
}
