package server

import (
	"context"
	"net/http"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/engine"
)

// cloneHandlers serves namespace clones.
func (s *Server) cloneHandlers() map[string]http.Handler {
	e := s.eng
	id := func(r *http.Request) string { return r.PathValue("id") }
	return map[string]http.Handler{
		"POST /api/v1/clones": create(s, body(func(ctx context.Context, p engine.Principal, _ *http.Request, in api.CloneRequest) (api.Clone, error) {
			return e.CreateClone(ctx, p, in)
		})),
		"GET /api/v1/clones": reply(s, 200, paged(func(ctx context.Context, p engine.Principal, r *http.Request, pg engine.Paging) (api.Page[api.Clone], error) {
			return e.ListClones(ctx, p, r.URL.Query().Get("namespace_id"), r.URL.Query().Get("direction"), pg)
		})),
		"GET /api/v1/clones/{id}": reply(s, 200, func(ctx context.Context, p engine.Principal, r *http.Request) (api.Clone, error) {
			return e.GetClone(ctx, p, id(r))
		}),
		// With delete_created=true the answer is the task with what was deleted and kept; without, 204.
		"DELETE /api/v1/clones/{id}": s.authed(func(w http.ResponseWriter, r *http.Request) {
			out, err := e.DeleteClone(r.Context(), principal(r.Context()), id(r), r.URL.Query().Get("delete_created") == "true")
			switch {
			case err != nil:
				s.fail(w, err)
			case out == nil:
				w.WriteHeader(http.StatusNoContent)
			default:
				writeJSON(w, http.StatusOK, out)
			}
		}),
		"POST /api/v1/clones/{id}/cancel": reply(s, 200, func(ctx context.Context, p engine.Principal, r *http.Request) (api.Clone, error) {
			return e.CancelClone(ctx, p, id(r))
		}),
		"GET /api/v1/clones/{id}/renames": reply(s, 200, paged(func(ctx context.Context, p engine.Principal, r *http.Request, pg engine.Paging) (api.Page[api.Rename], error) {
			return e.ListCloneRenames(ctx, p, id(r), pg)
		})),
		"GET /api/v1/clones/{id}/items": reply(s, 200, paged(func(ctx context.Context, p engine.Principal, r *http.Request, pg engine.Paging) (api.Page[api.CloneItem], error) {
			return e.ListCloneItems(ctx, p, id(r), pg)
		})),
	}
}
