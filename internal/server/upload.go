package server

import (
	"errors"
	"io"
	"net/http"
	"strconv"

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
	obj, created, err := s.eng.UploadFileResource(r.Context(), principal(r.Context()), r.PathValue("id"), r.PathValue("name"),
		uploadOrigin(r), r.Body)
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

// uploadOrigin reads where the uploader took the bytes from: ?source=PATH&source_hash=H, or ?inline=true.
// Without them the upload records no origin.
func uploadOrigin(r *http.Request) *api.FileOrigin {
	q := r.URL.Query()
	o := api.FileOrigin{Source: q.Get("source"), SourceHash: q.Get("source_hash"), Inline: q.Get("inline") == "true"}
	if o == (api.FileOrigin{}) {
		return nil
	}
	return &o
}

// download streams a file resource's current bytes (GET .../file-resources/{name}), with their size and
// sha256 (as the ETag) in the headers.
func (s *Server) download(w http.ResponseWriter, r *http.Request) {
	rc, info, err := s.eng.OpenFileResource(r.Context(), principal(r.Context()), r.PathValue("id"), r.PathValue("name"))
	if err != nil {
		s.fail(w, err)
		return
	}
	defer rc.Close()
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.FormatInt(info.Size, 10))
	if info.SHA256 != "" {
		w.Header().Set("ETag", strconv.Quote(info.SHA256))
	}
	w.WriteHeader(http.StatusOK)
	if _, err := io.Copy(w, rc); err != nil {
		// The status is sent: the client sees a short body against Content-Length.
		s.log.Warn("file resource download cut short", "namespace", r.PathValue("id"), "name", r.PathValue("name"), "err", err)
	}
}
