package engine

import (
	"context"

	"github.com/streamstate/terraform-provider-flink/internal/api"
)

// SetCloneItemHook makes fn run before the clone executor processes each item, with the executor's
// context (cancelled when the engine closes). Tests use it to hold a clone in RUNNING at a known point;
// set it before Start (enginetest.Options.Configure).
func (e *Engine) SetCloneItemHook(fn func(context.Context, api.CloneItem)) { e.cloneItemHook = fn }
