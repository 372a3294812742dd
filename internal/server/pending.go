package server

import (
	"net/http"

	"github.com/streamstate/terraform-provider-flink/internal/api"
)

// pending answers 501 for a declared route whose engine part is being built (removed once all are wired).
func (s *Server) pending() http.Handler {
	return s.authed(func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, http.StatusNotImplemented, api.CodeUnavailable, r.Method+" "+r.URL.Path+" is not available in this build")
	})
}
