package server

import (
	"errors"
	"net/http"

	"github.com/streamstate/terraform-provider-flink/internal/api"
)

// upload streams a file resource's raw bytes to storage (PUT .../file-resources/{name}): the body goes
// from the socket to storage without being held in memory, bounded by MaxUpload. At most
// MaxConcurrentUploads run at once; more are refused with 503 and Retry-After rather than queued, so
// slow uploads cannot pile up memory or connections.
func (s *Server) upload(w http.ResponseWriter, r *http.Request) {
	select {
	case s.uploads <- struct{}{}:
		defer func() { <-s.uploads }()
	default:
		w.Header().Set("Retry-After", "1")
		writeProblem(w, http.StatusServiceUnavailable, api.CodeUnavailable,
			"too many file uploads in progress (--max-concurrent-uploads): retry shortly")
		return
	}
	obj, created, err := s.eng.UploadFileResource(r.Context(), principal(r.Context()), r.PathValue("id"), r.PathValue("name"), r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			err = bodyError(err)
		}
		s.fail(w, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, obj)
}
