package client

import (
	"context"
	"encoding/json"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// LogSubsystem is the tflog subsystem of the engine calls: TF_LOG_PROVIDER_FLINK_CLIENT=DEBUG shows
// every call (method, path, status, latency, attempt, redacted bodies) without the framework's noise.
const LogSubsystem = "flink_client"

// maxLoggedBody bounds how much of a body a log line carries.
const maxLoggedBody = 4 << 10

// secretKeys are JSON keys whose values never reach a log, wherever they sit in a body.
var secretKeys = map[string]bool{"token": true, "secret": true, "secret_access_key": true, "value": true,
	"password": true, "access_key_id": true, "authorization": true}

// logCall writes one DEBUG line per call under LogSubsystem. Bodies are logged with every secret
// value replaced by "***"; a body that is not JSON is logged only by its size.
func logCall(ctx context.Context, method, path string, status int, latency time.Duration, attempt int, reqBody, respBody []byte) {
	ctx = tflog.NewSubsystem(ctx, LogSubsystem)
	fields := map[string]any{"method": method, "path": path, "status": status,
		"latency_ms": latency.Milliseconds(), "attempts": attempt + 1}
	if len(reqBody) > 0 {
		fields["request_body"] = redactBody(reqBody)
	}
	if len(respBody) > 0 {
		fields["response_body"] = redactBody(respBody)
	}
	tflog.SubsystemDebug(ctx, LogSubsystem, "flink-engine call", fields)
}

// redactBody returns body as JSON text with secret values masked, cut to maxLoggedBody.
func redactBody(body []byte) string {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return "(" + itoa(len(body)) + " bytes, not JSON)"
	}
	out, err := json.Marshal(redact(v))
	if err != nil {
		return "(" + itoa(len(body)) + " bytes)"
	}
	if len(out) > maxLoggedBody {
		return string(out[:maxLoggedBody]) + "…(cut)"
	}
	return string(out)
}

func redact(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			if secretKeys[k] {
				t[k] = "***"
			} else {
				t[k] = redact(x)
			}
		}
	case []any:
		for i := range t {
			t[i] = redact(t[i])
		}
	}
	return v
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }
