package server

import "net/http"

// stateSetHandlers serves snapshot listings, the overview, snapshot policies and cron validation.
func (s *Server) stateSetHandlers() map[string]http.Handler {
	return map[string]http.Handler{
		"GET /api/v1/deployments/{id}/overview":           s.pending(),
		"GET /api/v1/deployments/{id}/snapshot-policy":    s.pending(),
		"PUT /api/v1/deployments/{id}/snapshot-policy":    s.pending(),
		"DELETE /api/v1/deployments/{id}/snapshot-policy": s.pending(),
		"GET /api/v1/snapshots":                           s.pending(),
		"POST /api/v1/cron/validate":                      s.pending(),
	}
}
