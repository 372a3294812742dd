package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/streamstate/terraform-provider-flink/internal/cron"
)

var _ function.Function = (*cronNextFunction)(nil)

// maxCronNextCount bounds count, as the engine's cron validation does.
const maxCronNextCount = 100

// NewCronNextFunction is provider::flink::cron_next.
func NewCronNextFunction() function.Function { return &cronNextFunction{} }

type cronNextFunction struct{}

func (f *cronNextFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "cron_next"
}

func (f *cronNextFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "The next times a snapshot schedule fires.",
		MarkdownDescription: "Returns, as RFC 3339 UTC strings, the next `count` times a `flink_snapshot_policy` with " +
			"this schedule would fire after `after`, with the 10-minute floor applied (a schedule firing more often " +
			"fires at the first match at least 10 minutes after the previous one). Computed locally with the engine's " +
			"own cron dialect, no engine call: `provider::flink::cron_next(\"0/30 9-17 * * MON-FRI\", \"Europe/Berlin\", timestamp(), 5)`. " +
			"An invalid expression or time zone is an error that says what is wrong.",
		Parameters: []function.Parameter{
			function.StringParameter{Name: "cron", MarkdownDescription: "5-field cron: minute hour day-of-month month day-of-week (1 = Monday)."},
			function.StringParameter{Name: "time_zone", MarkdownDescription: "IANA time zone the cron is evaluated in, such as `UTC` or `Europe/Berlin`."},
			function.StringParameter{Name: "after", MarkdownDescription: "RFC 3339 time to start after, such as `timestamp()`."},
			function.Int64Parameter{Name: "count", MarkdownDescription: "How many fire times to return (1 to 100)."},
		},
		Return: function.ListReturn{ElementType: types.StringType},
	}
}

func (f *cronNextFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var expr, zone, after string
	var count int64
	resp.Error = function.ConcatFuncErrors(resp.Error, req.Arguments.Get(ctx, &expr, &zone, &after, &count))
	if resp.Error != nil {
		return
	}
	sched, err := cron.Parse(expr)
	if err != nil {
		resp.Error = function.NewArgumentFuncError(0, cronDiagnostic(expr, err))
		return
	}
	loc, err := cron.LoadLocation(zone)
	if err != nil {
		resp.Error = function.NewArgumentFuncError(1, err.Error())
		return
	}
	start, err := time.Parse(time.RFC3339, after)
	if err != nil {
		resp.Error = function.NewArgumentFuncError(2, fmt.Sprintf("%q is not an RFC 3339 time such as "+
			"2024-05-01T00:00:00Z: pass timestamp() or a literal in that form", after))
		return
	}
	if count < 1 || count > maxCronNextCount {
		resp.Error = function.NewArgumentFuncError(3, fmt.Sprintf("%d must be from 1 to %d", count, maxCronNextCount))
		return
	}
	resp.Error = function.ConcatFuncErrors(resp.Error, resp.Result.Set(ctx, timeList(sched.NextFires(start, loc, int(count)))))
}
