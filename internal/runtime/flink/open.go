package flink

import (
	"log/slog"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/runtime"
)

// Opener returns what the engine calls to build the runtime of a flink workspace from its settings.
func Opener(log *slog.Logger) func(api.Runtime) (runtime.Runtime, error) {
	return func(cfg api.Runtime) (runtime.Runtime, error) {
		return New(Options{RESTURL: cfg.RESTURL, SQLGatewayURL: cfg.SQLGatewayURL, Logger: log})
	}
}
