package provider

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/cron"
)

// Default waits of the state-set and clone resources, overridable in their `timeouts` block.
const (
	defaultJobTimeout      = 10 * time.Minute
	defaultSnapshotTimeout = 20 * time.Minute
	defaultCloneTimeout    = 60 * time.Minute
)

// timeString renders an engine time as RFC 3339 in UTC, the form every *_at attribute uses.
func timeString(t time.Time) types.String {
	if t.IsZero() {
		return types.StringNull()
	}
	return types.StringValue(t.UTC().Format(time.RFC3339))
}

// timePtrString is timeString for an optional time: null when absent.
func timePtrString(t *time.Time) types.String {
	if t == nil {
		return types.StringNull()
	}
	return timeString(*t)
}

// timeList renders times as a list of RFC 3339 UTC strings (an empty list, never null).
func timeList(times []time.Time) types.List {
	vals := make([]attr.Value, len(times))
	for i, t := range times {
		vals[i] = types.StringValue(t.UTC().Format(time.RFC3339))
	}
	return types.ListValueMust(types.StringType, vals)
}

// stringList is a list of strings (an empty list, never null).
func stringList(items []string) types.List {
	vals := make([]attr.Value, len(items))
	for i, s := range items {
		vals[i] = types.StringValue(s)
	}
	return types.ListValueMust(types.StringType, vals)
}

// keepDuration returns the duration string the user wrote when the engine's value means the same time
// ("1m" and "1m0s"), so normalisation never shows up as a diff; otherwise the engine's value as it was
// written to it (what an import reads), or in the short form for a value it made up; null for 0.
func keepDuration(prior types.String, engine api.Duration) types.String {
	if !prior.IsNull() && !prior.IsUnknown() {
		if d, err := time.ParseDuration(prior.ValueString()); err == nil && d == engine.Std() {
			return prior
		}
	}
	switch {
	case engine.IsZero():
		return types.StringNull()
	case engine.Text() != "":
		return types.StringValue(engine.Text())
	}
	return types.StringValue(shortDuration(engine.Std()))
}

// shortDuration writes a duration the way people do: "168h" and "10m" rather than "168h0m0s" and "10m0s".
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// parseDuration reads an optional duration attribute (validated at plan time; null means 0), keeping
// its text so the engine stores it as written.
func parseDuration(v types.String) api.Duration {
	if v.IsNull() || v.IsUnknown() {
		return api.Duration{}
	}
	d, _ := api.ParseDuration(v.ValueString())
	return d
}

// cronDiagnostic explains why an expression does not parse: which field, which part, how to fix it.
func cronDiagnostic(expr string, err error) string {
	if fe, ok := err.(*cron.FieldError); ok {
		return fmt.Sprintf("%q: the %s field (%q) is wrong: %s. The expression has 5 fields: minute hour "+
			"day-of-month month day-of-week (1 = Monday ... 7 = Sunday, or MON-SUN), with * , - / only",
			expr, fe.Field, fe.Value, fe.Reason)
	}
	return err.Error()
}

// cronValidator checks a cron expression with the engine's own parser at plan time. Its warnings (the
// 10-minute floor) are not given here, where Terraform calls it many times per run, but by the policy's
// ModifyPlan, once.
type cronValidator struct{}

var _ validator.String = cronValidator{}

func (cronValidator) Description(context.Context) string {
	return "value must be a 5-field cron expression: minute hour day-of-month month day-of-week"
}

func (v cronValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (cronValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	expr := req.ConfigValue.ValueString()
	if _, err := cron.Parse(expr); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid cron expression", req.Path.String()+": "+cronDiagnostic(expr, err)+".")
	}
}

// timeZoneValidator accepts IANA time zone names as the engine resolves them.
type timeZoneValidator struct{}

var _ validator.String = timeZoneValidator{}

func (timeZoneValidator) Description(context.Context) string {
	return "value must be an IANA time zone name such as UTC or Europe/Berlin"
}

func (v timeZoneValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (timeZoneValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := cron.LoadLocation(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid time zone", req.Path.String()+": "+err.Error())
	}
}

// rfc3339Validator accepts RFC 3339 timestamps such as 2024-05-01T00:00:00Z.
type rfc3339Validator struct{}

var _ validator.String = rfc3339Validator{}

func (rfc3339Validator) Description(context.Context) string {
	return "value must be an RFC 3339 timestamp such as 2024-05-01T00:00:00Z"
}

func (v rfc3339Validator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (rfc3339Validator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := time.Parse(time.RFC3339, req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid timestamp",
			fmt.Sprintf("%s: %q is not an RFC 3339 timestamp: write it like 2024-05-01T00:00:00Z (timestamp() gives one).",
				req.Path, req.ConfigValue.ValueString()))
	}
}

// requireAttr reports a missing attribute that another one makes necessary.
func requireAttr(diags *diag.Diagnostics, at path.Path, why string) {
	diags.AddAttributeError(at, "Missing "+at.String(), why)
}
