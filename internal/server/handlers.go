package server

import (
	"context"
	"errors"
	"net/http"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/engine"
)

// call is what a route does: it gets the caller and the request and returns a value to encode.
type call[Out any] func(ctx context.Context, p engine.Principal, r *http.Request) (Out, error)

// reply builds an authenticated handler that writes the call's result with status; a mutating call is
// idempotent under an Idempotency-Key.
func reply[Out any](s *Server, status int, fn call[Out]) http.HandlerFunc {
	return s.authed(s.idempotent(func(w http.ResponseWriter, r *http.Request) {
		run(s, w, r, status, fn)
	}))
}

// create is reply for creating POSTs: idempotent under an Idempotency-Key.
func create[Out any](s *Server, fn call[Out]) http.HandlerFunc {
	return s.authed(s.idempotent(func(w http.ResponseWriter, r *http.Request) {
		run(s, w, r, http.StatusCreated, fn)
	}))
}

// run calls fn and writes its result. Invalid input (a body that did not decode, or an engine
// invalid_argument) is reported only to a caller the route's guard lets through: others hear that they
// lack access (authorization before validation), whichever order the engine method checks in.
func run[Out any](s *Server, w http.ResponseWriter, r *http.Request, status int, fn call[Out]) {
	out, err := fn(r.Context(), principal(r.Context()), r)
	var bad *badBody
	if errors.As(err, &bad) || engine.CodeOf(err) == api.CodeInvalidArgument {
		if authErr := s.authorizeRoute(r); authErr != nil {
			err = authErr
		} else if bad != nil {
			err = bad.err
		}
	}
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, status, out)
}

// noContent builds an authenticated handler that answers 204 on success, idempotent under an
// Idempotency-Key.
func noContent(s *Server, fn func(ctx context.Context, p engine.Principal, r *http.Request) error) http.HandlerFunc {
	return s.authed(s.idempotent(func(w http.ResponseWriter, r *http.Request) {
		if err := fn(r.Context(), principal(r.Context()), r); err != nil {
			s.fail(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
}

// badBody is a request body that did not decode; run reports it after the route's guard.
type badBody struct{ err error }

func (b *badBody) Error() string { return b.err.Error() }

// body decodes the request into a fresh In and passes it on.
func body[In, Out any](fn func(ctx context.Context, p engine.Principal, r *http.Request, in In) (Out, error)) call[Out] {
	return func(ctx context.Context, p engine.Principal, r *http.Request) (Out, error) {
		var in In
		if err := DecodeJSON(r.Body, &in); err != nil {
			var zero Out
			return zero, &badBody{err}
		}
		return fn(ctx, p, r, in)
	}
}

// paged parses ?limit and ?page_token and passes the paging on.
func paged[Out any](fn func(ctx context.Context, p engine.Principal, r *http.Request, pg engine.Paging) (Out, error)) call[Out] {
	return func(ctx context.Context, p engine.Principal, r *http.Request) (Out, error) {
		pg, err := engine.ParsePaging(r.URL.Query().Get("limit"), r.URL.Query().Get("page_token"))
		if err != nil {
			var zero Out
			return zero, err
		}
		return fn(ctx, p, r, pg)
	}
}

func (s *Server) handlers() map[string]http.Handler {
	e := s.eng
	id := func(r *http.Request) string { return r.PathValue("id") }
	q := func(r *http.Request, k string) string { return r.URL.Query().Get(k) }
	h := map[string]http.Handler{
		"GET /api/v1/openapi.json": http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			writeJSON(w, http.StatusOK, OpenAPI())
		}),
		"GET /api/v1/whoami": reply(s, 200, func(_ context.Context, p engine.Principal, _ *http.Request) (api.WhoAmI, error) {
			return api.WhoAmI{User: p.User, Admin: p.Admin}, nil
		}),

		"POST /api/v1/tokens": create(s, body(func(ctx context.Context, p engine.Principal, _ *http.Request, in api.TokenRequest) (api.Token, error) {
			return e.CreateToken(ctx, p, in)
		})),
		"GET /api/v1/tokens": reply(s, 200, paged(func(ctx context.Context, p engine.Principal, _ *http.Request, pg engine.Paging) (api.Page[api.Token], error) {
			return e.ListTokens(ctx, p, pg)
		})),
		"GET /api/v1/tokens/{id}": reply(s, 200, func(ctx context.Context, p engine.Principal, r *http.Request) (api.Token, error) {
			return e.GetToken(ctx, p, id(r))
		}),
		"DELETE /api/v1/tokens/{id}": noContent(s, func(ctx context.Context, p engine.Principal, r *http.Request) error {
			return e.DeleteToken(ctx, p, id(r))
		}),

		"POST /api/v1/workspaces": create(s, body(func(ctx context.Context, p engine.Principal, _ *http.Request, in api.WorkspaceInput) (api.Workspace, error) {
			return e.CreateWorkspace(ctx, p, in)
		})),
		"GET /api/v1/workspaces": reply(s, 200, paged(func(ctx context.Context, p engine.Principal, _ *http.Request, pg engine.Paging) (api.Page[api.Workspace], error) {
			return e.ListWorkspaces(ctx, p, pg)
		})),
		"GET /api/v1/workspaces/{id}": reply(s, 200, func(ctx context.Context, p engine.Principal, r *http.Request) (api.Workspace, error) {
			return e.GetWorkspace(ctx, p, id(r))
		}),
		"PUT /api/v1/workspaces/{id}": reply(s, 200, body(func(ctx context.Context, p engine.Principal, r *http.Request, in api.WorkspaceInput) (api.Workspace, error) {
			return e.UpdateWorkspace(ctx, p, id(r), in)
		})),
		"DELETE /api/v1/workspaces/{id}": noContent(s, func(ctx context.Context, p engine.Principal, r *http.Request) error {
			return e.DeleteWorkspace(ctx, p, id(r))
		}),

		"POST /api/v1/workspaces/{id}/namespaces": create(s, body(func(ctx context.Context, p engine.Principal, r *http.Request, in api.NamespaceInput) (api.Namespace, error) {
			return e.CreateNamespace(ctx, p, id(r), in)
		})),
		"GET /api/v1/workspaces/{id}/namespaces": reply(s, 200, paged(func(ctx context.Context, p engine.Principal, r *http.Request, pg engine.Paging) (api.Page[api.Namespace], error) {
			return e.ListNamespaces(ctx, p, id(r), q(r, "name"), pg)
		})),
		"GET /api/v1/namespaces/{id}": reply(s, 200, func(ctx context.Context, p engine.Principal, r *http.Request) (api.Namespace, error) {
			return e.GetNamespace(ctx, p, id(r))
		}),
		"DELETE /api/v1/namespaces/{id}": noContent(s, func(ctx context.Context, p engine.Principal, r *http.Request) error {
			return e.DeleteNamespace(ctx, p, id(r), q(r, "force") == "true")
		}),
		"GET /api/v1/namespaces/{id}/contents": reply(s, 200, func(ctx context.Context, p engine.Principal, r *http.Request) (api.NamespaceContents, error) {
			return e.NamespaceContents(ctx, p, id(r))
		}),

		"GET /api/v1/namespaces/{id}/members": reply(s, 200, paged(func(ctx context.Context, p engine.Principal, r *http.Request, pg engine.Paging) (api.Page[api.Member], error) {
			return e.ListMembers(ctx, p, id(r), pg)
		})),
		"GET /api/v1/namespaces/{id}/members/{user}": reply(s, 200, func(ctx context.Context, p engine.Principal, r *http.Request) (api.Member, error) {
			return e.GetMember(ctx, p, id(r), r.PathValue("user"))
		}),
		"PUT /api/v1/namespaces/{id}/members/{user}": reply(s, 200, body(func(ctx context.Context, p engine.Principal, r *http.Request, in api.MemberInput) (api.Member, error) {
			return e.PutMember(ctx, p, id(r), r.PathValue("user"), in)
		})),
		"DELETE /api/v1/namespaces/{id}/members/{user}": noContent(s, func(ctx context.Context, p engine.Principal, r *http.Request) error {
			return e.DeleteMember(ctx, p, id(r), r.PathValue("user"))
		}),

		"POST /api/v1/namespaces/{id}/objects/{kind}": create(s, body(func(ctx context.Context, p engine.Principal, r *http.Request, in api.ObjectInput) (api.Object, error) {
			return e.CreateObject(ctx, p, id(r), r.PathValue("kind"), in)
		})),
		"GET /api/v1/namespaces/{id}/objects/{kind}": reply(s, 200, paged(func(ctx context.Context, p engine.Principal, r *http.Request, pg engine.Paging) (api.Page[api.Object], error) {
			return e.ListObjects(ctx, p, id(r), r.PathValue("kind"), q(r, "name"), pg)
		})),
		uploadRoute:   s.authed(s.upload),
		downloadRoute: s.authed(s.download),
		"GET /api/v1/objects/{id}": reply(s, 200, func(ctx context.Context, p engine.Principal, r *http.Request) (api.Object, error) {
			return e.GetObject(ctx, p, id(r))
		}),
		"PUT /api/v1/objects/{id}": reply(s, 200, body(func(ctx context.Context, p engine.Principal, r *http.Request, in api.ObjectInput) (api.Object, error) {
			return e.UpdateObject(ctx, p, id(r), in)
		})),
		"DELETE /api/v1/objects/{id}": noContent(s, func(ctx context.Context, p engine.Principal, r *http.Request) error {
			return e.DeleteObject(ctx, p, id(r))
		}),
		"GET /api/v1/objects/{id}/versions": reply(s, 200, paged(func(ctx context.Context, p engine.Principal, r *http.Request, pg engine.Paging) (api.Page[api.ObjectVersion], error) {
			return e.ListVersions(ctx, p, id(r), pg)
		})),

		"POST /api/v1/deployments/{id}/start": reply(s, 200, body(func(ctx context.Context, p engine.Principal, r *http.Request, in api.StartRequest) (api.Job, error) {
			return e.StartJob(ctx, p, id(r), in)
		})),
		"POST /api/v1/deployments/{id}/stop": reply(s, 200, body(func(ctx context.Context, p engine.Principal, r *http.Request, in api.StopRequest) (api.Job, error) {
			return e.StopJob(ctx, p, id(r), in)
		})),
		"GET /api/v1/deployments/{id}/job": reply(s, 200, func(ctx context.Context, p engine.Principal, r *http.Request) (api.Job, error) {
			return e.GetJob(ctx, p, id(r))
		}),
		"GET /api/v1/deployments/{id}/checkpoints": reply(s, 200, paged(func(ctx context.Context, p engine.Principal, r *http.Request, pg engine.Paging) (api.Page[api.Checkpoint], error) {
			return e.ListCheckpoints(ctx, p, id(r), pg)
		})),
		"POST /api/v1/deployments/{id}/snapshots": create(s, body(func(ctx context.Context, p engine.Principal, r *http.Request, in api.SnapshotRequest) (api.Snapshot, error) {
			return e.CreateSnapshot(ctx, p, id(r), in)
		})),
		"GET /api/v1/snapshots/{id}": reply(s, 200, func(ctx context.Context, p engine.Principal, r *http.Request) (api.Snapshot, error) {
			return e.GetSnapshot(ctx, p, id(r))
		}),
		"DELETE /api/v1/snapshots/{id}": noContent(s, func(ctx context.Context, p engine.Principal, r *http.Request) error {
			return e.DeleteSnapshot(ctx, p, id(r))
		}),
	}
	for route, handler := range s.stateSetHandlers() {
		h[route] = handler
	}
	for route, handler := range s.cloneHandlers() {
		h[route] = handler
	}
	return h
}
