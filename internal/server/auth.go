package server

import (
	"context"
	"net/http"
	"strings"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/engine"
)

type principalKey struct{}

func principal(ctx context.Context) engine.Principal {
	return ctx.Value(principalKey{}).(engine.Principal)
}

// bearerToken takes the token of an `Authorization: Bearer <token>` header; the scheme is matched
// case-insensitively (RFC 9110 §11.1). ok is false when the header uses another scheme.
func bearerToken(header string) (token string, ok bool) {
	header = strings.TrimSpace(header)
	if header == "" {
		return "", true
	}
	scheme, rest, _ := strings.Cut(header, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return strings.TrimSpace(rest), true
}

// authed wraps a handler with bearer-token authentication.
func (s *Server) authed(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token, ok := bearerToken(r.Header.Get("Authorization"))
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer`)
			writeProblem(w, http.StatusUnauthorized, api.CodeUnauthenticated,
				"the Authorization header must use the Bearer scheme: send Authorization: Bearer <token>")
			return
		}
		p, err := s.eng.Authenticate(r.Context(), token)
		if err != nil {
			if engine.CodeOf(err) == api.CodeUnauthenticated {
				w.Header().Set("WWW-Authenticate", `Bearer`)
			}
			s.fail(w, err)
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
	}
}

// adminOnly refuses callers other than the admin (after authed).
func (s *Server) adminOnly(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := s.eng.Authorize(r.Context(), principal(r.Context()), engine.ScopeAdmin, "", ""); err != nil {
			s.fail(w, err)
			return
		}
		h(w, r)
	}
}

// guard is what a route's caller must be allowed, checked without the body: when the body does not
// decode, the caller hears about its missing access first (authorization before input validation).
type guard struct {
	scope engine.Scope
	role  string // for namespace and object scopes
}

type guardKey struct{}

func withGuard(g *guard, h http.Handler) http.Handler {
	if g == nil {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), guardKey{}, g)))
	})
}

// authorizeRoute runs the route's guard, if any, for the authenticated caller.
func (s *Server) authorizeRoute(r *http.Request) error {
	g, _ := r.Context().Value(guardKey{}).(*guard)
	if g == nil {
		return nil
	}
	return s.eng.Authorize(r.Context(), principal(r.Context()), g.scope, r.PathValue("id"), g.role)
}

// guards lists the access each body-taking route needs, by the id in its path.
func guards() map[string]*guard {
	admin := &guard{scope: engine.ScopeAdmin}
	workspace := &guard{scope: engine.ScopeWorkspace}
	nsOwner := &guard{scope: engine.ScopeNamespace, role: api.RoleOwner}
	nsEditor := &guard{scope: engine.ScopeNamespace, role: api.RoleEditor}
	objEditor := &guard{scope: engine.ScopeObject, role: api.RoleEditor}
	return map[string]*guard{
		"POST /api/v1/tokens":                               admin,
		"PUT /api/v1/workspaces/{id}":                       workspace,
		"POST /api/v1/workspaces/{id}/namespaces":           workspace,
		"PUT /api/v1/namespaces/{id}/members/{user}":        nsOwner,
		"POST /api/v1/namespaces/{id}/objects/{kind}":       nsEditor,
		"PUT /api/v1/namespaces/{id}/file-resources/{name}": nsEditor,
		"PUT /api/v1/objects/{id}":                          objEditor,
		"POST /api/v1/deployments/{id}/start":               objEditor,
		"POST /api/v1/deployments/{id}/stop":                objEditor,
		"POST /api/v1/deployments/{id}/snapshots":           objEditor,
		"PUT /api/v1/deployments/{id}/snapshot-policy":      objEditor,
	}
}
