package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/client"
)

func TestShortDurationWritesDurationsThePeopleWay(t *testing.T) {
	for d, want := range map[time.Duration]string{
		168 * time.Hour: "168h", 10 * time.Minute: "10m", 90 * time.Second: "1m30s", 30 * time.Second: "30s",
		time.Hour + time.Minute: "1h1m", time.Hour + time.Second: "1h0m1s", 1500 * time.Millisecond: "1.5s",
	} {
		if got := shortDuration(d); got != want {
			t.Errorf("shortDuration(%s) = %q, want %q", d, got, want)
		}
	}
}

// keepDuration keeps what the user wrote when it means the engine's value, so normalisation never
// shows as a diff, and otherwise reports the engine's value.
func TestKeepDuration(t *testing.T) {
	cases := []struct {
		prior  types.String
		engine time.Duration
		want   types.String
	}{
		{types.StringValue("1m"), time.Minute, types.StringValue("1m")},
		{types.StringValue("60s"), time.Minute, types.StringValue("60s")},
		{types.StringValue("0.5h"), 30 * time.Minute, types.StringValue("0.5h")},
		{types.StringValue("1m"), 2 * time.Minute, types.StringValue("2m")}, // changed outside Terraform
		{types.StringNull(), 168 * time.Hour, types.StringValue("168h")},
		{types.StringNull(), 0, types.StringNull()},
		{types.StringUnknown(), 0, types.StringNull()},
		{types.StringValue("soon"), 10 * time.Second, types.StringValue("10s")},
	}
	for _, tc := range cases {
		if got := keepDuration(tc.prior, api.DurationOf(tc.engine)); !got.Equal(tc.want) {
			t.Errorf("keepDuration(%s, %s) = %s, want %s", tc.prior, tc.engine, got, tc.want)
		}
	}
	// An import has no prior value: the engine's value reads back as it was written to it.
	written, _ := api.ParseDuration("90s")
	if got := keepDuration(types.StringNull(), written); !got.Equal(types.StringValue("90s")) {
		t.Errorf("keepDuration(null, written 90s) = %s, want \"90s\"", got)
	}
}

func TestParseDuration(t *testing.T) {
	cases := []struct {
		in   types.String
		want time.Duration
	}{
		{types.StringValue("30s"), 30 * time.Second},
		{types.StringValue("168h"), 168 * time.Hour},
		{types.StringNull(), 0},
		{types.StringUnknown(), 0},
	}
	for _, tc := range cases {
		if got := parseDuration(tc.in); got.Std() != tc.want {
			t.Errorf("parseDuration(%s) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestDurationValidator(t *testing.T) {
	at := path.Root("checkpoint").AtName("interval")
	for in, ok := range map[string]bool{"30s": true, "10m": true, "1h30m": true, "often": false, "10": false, "": false} {
		resp := &validator.StringResponse{}
		durationValidator{}.ValidateString(context.Background(), validator.StringRequest{Path: at, ConfigValue: types.StringValue(in)}, resp)
		if resp.Diagnostics.HasError() == ok {
			t.Errorf("%q: error = %v, want valid = %v", in, resp.Diagnostics, ok)
			continue
		}
		if !ok && !strings.Contains(resp.Diagnostics[0].Detail(), "checkpoint.interval") {
			t.Errorf("%q: the error should name the attribute: %s", in, resp.Diagnostics[0].Detail())
		}
	}
	for _, v := range []types.String{types.StringNull(), types.StringUnknown()} {
		resp := &validator.StringResponse{}
		durationValidator{}.ValidateString(context.Background(), validator.StringRequest{Path: at, ConfigValue: v}, resp)
		if resp.Diagnostics.HasError() {
			t.Errorf("%s is not an error at plan time: %v", v, resp.Diagnostics)
		}
	}
}

// A job stopped, failed or finished outside Terraform reads as STOPPED, so the plan starts it again.
func TestDesiredStateFromJob(t *testing.T) {
	for status, want := range map[string]string{
		api.JobStarting: "RUNNING", api.JobRunning: "RUNNING", api.JobCancelling: "STOPPED",
		api.JobCancelled: "STOPPED", api.JobFailed: "STOPPED", api.JobFinished: "STOPPED", "": "STOPPED",
	} {
		if got := desiredFromJob(status, api.ModeStreaming); got != want {
			t.Errorf("desiredFromJob(%q) = %q, want %q", status, got, want)
		}
	}
}

// A BATCH job that finished has done what RUNNING asked: it is not started again.
func TestDesiredStateFromBatchJob(t *testing.T) {
	for status, want := range map[string]string{
		api.JobRunning: "RUNNING", api.JobFinished: "RUNNING", api.JobFailed: "STOPPED", api.JobCancelled: "STOPPED",
	} {
		if got := desiredFromJob(status, api.ModeBatch); got != want {
			t.Errorf("desiredFromJob(%q, BATCH) = %q, want %q", status, got, want)
		}
	}
}

// explain tells the user what to do for each kind of engine error, and keeps the engine's message.
func TestExplainSaysWhatToDo(t *testing.T) {
	engineErr := func(status int, code, msg, task string) error {
		return fmt.Errorf("wrapped: %w", &client.Error{Status: status, Code: code, Message: msg, TaskID: task})
	}
	cases := []struct {
		name string
		err  error
		want []string
	}{
		{"unreachable", &client.TransportError{Method: "GET", URL: "http://127.0.0.1:1/api/v1/whoami", Err: errors.New("connection refused")},
			[]string{"could not be reached", "connection refused", EnvEndpoint}},
		{"unauthenticated", engineErr(401, api.CodeUnauthenticated, "invalid or revoked token", ""),
			[]string{"rejected the API token", "invalid or revoked token", EnvToken}},
		{"forbidden", engineErr(403, api.CodeForbidden, "needs EDITOR on namespace ns-1", ""),
			[]string{"Permission denied", "needs EDITOR on namespace ns-1", "flink_namespace_member"}},
		{"locked", engineErr(423, api.CodeLocked, "namespace ns-1 is locked", "clone-7"),
			[]string{"Locked: namespace ns-1 is locked", "Clone task clone-7 holds this namespace", "wait for it to finish",
				"Set the provider's lock_timeout (or " + EnvLockTimeout + ")"}},
		{"locked after waiting", fmt.Errorf("wrapped: %w", &client.Error{Status: 423, Code: api.CodeLocked,
			Message: "namespace ns-1 is locked", TaskID: "clone-7", LockWaited: 5 * time.Minute}),
			[]string{"Clone task clone-7 holds this namespace", "The provider waited 5m0s for it", "raise lock_timeout or the timeouts"}},
		{"stale", engineErr(412, api.CodePreconditionFailed, "version 1 is stale, the object is at version 2", ""),
			[]string{"changed outside Terraform", "version 2", "apply again"}},
		{"invalid", engineErr(400, api.CodeInvalidArgument, "name: must not be empty", ""),
			[]string{"refused the configuration: name: must not be empty"}},
		{"clone of a namespace in another clone", engineErr(409, api.CodeCloneRunning, "namespace is in clone-9", "clone-9"),
			[]string{"Namespace in another clone: namespace is in clone-9", "Set the provider's lock_timeout"}},
		{"other engine error", engineErr(409, api.CodeAlreadyExists, "variable v already exists", ""),
			[]string{"variable v already exists"}},
		{"not an engine error", errors.New("disk full"), []string{"disk full"}},
	}
	for _, tc := range cases {
		got := explain(tc.err)
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %q lacks %q", tc.name, got, w)
			}
		}
	}
	// A lock without a task id does not invent one.
	if got := explain(engineErr(423, api.CodeLocked, "locked", "")); strings.Contains(got, "Clone task") {
		t.Errorf("a lock without a task names one: %q", got)
	}
}
