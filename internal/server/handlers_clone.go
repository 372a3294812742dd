package server

import "net/http"

// cloneHandlers serves namespace clones.
func (s *Server) cloneHandlers() map[string]http.Handler {
	return map[string]http.Handler{
		"POST /api/v1/clones":             s.pending(),
		"GET /api/v1/clones":              s.pending(),
		"GET /api/v1/clones/{id}":         s.pending(),
		"DELETE /api/v1/clones/{id}":      s.pending(),
		"POST /api/v1/clones/{id}/cancel": s.pending(),
		"GET /api/v1/clones/{id}/renames": s.pending(),
		"GET /api/v1/clones/{id}/items":   s.pending(),
	}
}
