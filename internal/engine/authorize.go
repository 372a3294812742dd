package engine

import (
	"context"

	"github.com/streamstate/terraform-provider-flink/internal/store"
)

// Scope names what a request's path id designates, for Authorize.
type Scope int

// Scopes a route's path id can have.
const (
	ScopeAdmin     Scope = iota // no id: the route is admin-only
	ScopeWorkspace              // a workspace id: the caller must see the workspace
	ScopeNamespace              // a namespace id: the caller needs the role on it
	ScopeObject                 // an object (or deployment) id: the caller needs the role on its namespace
)

// Authorize checks that p may act on the resource a request names, without looking at the request's
// body. The server calls it when a body fails to decode, so a caller without access learns it lacks the
// role (403/404) rather than what is wrong with its input: authorization comes before validation.
func (e *Engine) Authorize(ctx context.Context, p Principal, scope Scope, id, role string) error {
	if scope == ScopeAdmin {
		return requireAdmin(p)
	}
	return e.store.View(ctx, func(tx store.Tx) error {
		var err error
		switch scope {
		case ScopeWorkspace:
			_, err = loadWorkspace(tx, p, id)
		case ScopeNamespace:
			_, err = requireRole(tx, p, id, role)
		case ScopeObject:
			_, _, err = loadObject(tx, p, id, role)
		}
		return err
	})
}
