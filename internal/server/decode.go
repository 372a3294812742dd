package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/engine"
)

// uploadRoute streams a file resource's raw bytes: the only route whose body may exceed MaxBody.
const uploadRoute = "PUT /api/v1/namespaces/{id}/file-resources/{name}"

// downloadRoute streams a file resource's current bytes back.
const downloadRoute = "GET /api/v1/namespaces/{id}/file-resources/{name}"

// limited bounds a route's request body: MaxUpload for file uploads, MaxBody for every other route. A
// Content-Length above the limit is refused before anything is read.
func (s *Server) limited(route string, h http.Handler) http.Handler {
	limit := s.opts.MaxBody
	if route == uploadRoute {
		limit = s.opts.MaxUpload
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > limit {
			writeProblem(w, http.StatusRequestEntityTooLarge, api.CodePayloadTooLarge, tooLarge(limit))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		h.ServeHTTP(w, r)
	})
}

func tooLarge(limit int64) string {
	return fmt.Sprintf("the request body exceeds this route's limit of %d bytes: large files go to PUT %s "+
		"(limit set by --max-upload-bytes), other bodies are limited by --max-body-bytes", limit, "/api/v1/namespaces/{id}/file-resources/{name}")
}

// bodyError turns a failed read of a limited body into a problem: 413 past the limit, 400 otherwise.
func bodyError(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return &engine.Error{Code: api.CodePayloadTooLarge, Message: tooLarge(tooBig.Limit)}
	}
	return &engine.Error{Code: api.CodeInvalidArgument, Message: "cannot read the request body: " + err.Error()}
}

// maxDecodeError bounds the part of a JSON error quoted back (an unknown field's name is the caller's input).
const maxDecodeError = 200

// DecodeJSON reads a JSON body strictly into out: one JSON object, no unknown fields (named in the
// error), nothing after it. An empty body leaves out as it is; `null` and other non-objects are refused.
func DecodeJSON(r io.Reader, out any) error {
	dec := json.NewDecoder(r)
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		if errors.Is(err, io.EOF) {
			return nil
		}
		return decodeErr(err)
	}
	if trimmed := bytes.TrimSpace(raw); len(trimmed) == 0 || trimmed[0] != '{' {
		return &engine.Error{Code: api.CodeInvalidArgument,
			Message: fmt.Sprintf("request body: must be a JSON object, not %s", api.Excerpt(string(trimmed)))}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if err == nil || !isReadLimit(err) {
			return &engine.Error{Code: api.CodeInvalidArgument,
				Message: "request body: unexpected data after the JSON object: send exactly one object"}
		}
		return decodeErr(err)
	}
	strict := json.NewDecoder(bytes.NewReader(raw))
	strict.DisallowUnknownFields()
	if err := strict.Decode(out); err != nil {
		return decodeErr(err)
	}
	return nil
}

func isReadLimit(err error) bool {
	var tooBig *http.MaxBytesError
	return errors.As(err, &tooBig)
}

func decodeErr(err error) error {
	if isReadLimit(err) {
		return bodyError(err)
	}
	return &engine.Error{Code: api.CodeInvalidArgument, Message: "request body: " + truncate(err.Error(), maxDecodeError)}
}
