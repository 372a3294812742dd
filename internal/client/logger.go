package client

import (
	"context"
	"fmt"

	"github.com/hashicorp/go-retryablehttp"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// tflogLogger is a retryablehttp.LeveledLogger writing to terraform-plugin-log through the context of the
// call being made, so request logs land in the provider's log with the RPC's fields. retryablehttp only
// logs methods, redacted URLs, statuses and waits: never headers (Authorization) nor bodies.
type tflogLogger struct {
	ctx context.Context
}

var _ retryablehttp.LeveledLogger = tflogLogger{}

// NewLogger returns a retryablehttp.LeveledLogger that writes to tflog using ctx.
func NewLogger(ctx context.Context) retryablehttp.LeveledLogger { return tflogLogger{ctx: ctx} }

func (l tflogLogger) Error(msg string, kv ...interface{}) { tflog.Error(l.ctx, msg, fields(kv)) }
func (l tflogLogger) Warn(msg string, kv ...interface{})  { tflog.Warn(l.ctx, msg, fields(kv)) }
func (l tflogLogger) Info(msg string, kv ...interface{})  { tflog.Info(l.ctx, msg, fields(kv)) }
func (l tflogLogger) Debug(msg string, kv ...interface{}) { tflog.Debug(l.ctx, msg, fields(kv)) }

// fields turns retryablehttp's key/value pairs into tflog fields.
func fields(kv []interface{}) map[string]interface{} {
	out := map[string]interface{}{"component": "flink-client"}
	for i := 0; i+1 < len(kv); i += 2 {
		key, ok := kv[i].(string)
		if !ok {
			key = fmt.Sprint(kv[i])
		}
		v := kv[i+1]
		if err, isErr := v.(error); isErr {
			v = err.Error()
		}
		out[key] = v
	}
	return out
}
