package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"unicode/utf8"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/engine"
)

// statusOf maps engine error codes to HTTP statuses.
var statusOf = map[string]int{
	api.CodeUnauthenticated: http.StatusUnauthorized, api.CodeForbidden: http.StatusForbidden,
	api.CodeNotFound: http.StatusNotFound, api.CodeConflict: http.StatusConflict,
	api.CodeAlreadyExists: http.StatusConflict, api.CodeLocked: http.StatusLocked,
	api.CodeInvalidArgument: http.StatusBadRequest, api.CodePreconditionFailed: http.StatusPreconditionFailed,
	api.CodeIdempotencyMismatch: http.StatusUnprocessableEntity, api.CodeNamespaceNotEmpty: http.StatusConflict,
	api.CodeJobNotRunning: http.StatusConflict, api.CodeJobNotStopped: http.StatusConflict,
	api.CodeIncompatibleState: http.StatusConflict, api.CodeSnapshotInUse: http.StatusConflict,
	api.CodeCloneRunning: http.StatusConflict, api.CodeRegionMismatch: http.StatusBadRequest,
	api.CodeArchMismatch: http.StatusBadRequest, api.CodeStorageIncompatible: http.StatusBadRequest,
	api.CodeCloneDisabled: http.StatusForbidden, api.CodeStorageAccessDenied: http.StatusForbidden,
	api.CodeUnavailable: http.StatusServiceUnavailable, api.CodePayloadTooLarge: http.StatusRequestEntityTooLarge,
	api.CodeMethodNotAllowed: http.StatusMethodNotAllowed, api.CodeInsufficientStorage: http.StatusInsufficientStorage,
	api.CodeStorageReadOnly: http.StatusServiceUnavailable, api.CodeStorageUnavailable: http.StatusServiceUnavailable,
}

// fail writes err as a problem; errors without a domain code are internal and logged.
func (s *Server) fail(w http.ResponseWriter, err error) {
	var de *engine.Error
	if errors.As(err, &de) {
		status, ok := statusOf[de.Code]
		if !ok {
			status = http.StatusInternalServerError
		}
		writeJSON(w, status, api.Problem{Title: http.StatusText(status), Status: status, Code: de.Code,
			Detail: de.Message, TaskID: de.TaskID, Counts: de.Counts})
		return
	}
	if errors.Is(err, context.Canceled) {
		writeProblem(w, 499, api.CodeUnavailable, "the request was cancelled")
		return
	}
	s.log.Error("internal error", "err", err)
	writeProblem(w, http.StatusInternalServerError, api.CodeInternal, "internal error: "+err.Error())
}

func writeProblem(w http.ResponseWriter, status int, code, detail string) {
	writeJSON(w, status, api.Problem{Title: http.StatusText(status), Status: status, Code: code, Detail: detail})
}

// maxDetail bounds a problem's detail: a detail quotes at most a short excerpt of the input, and this
// is the backstop for a message that would not.
const maxDetail = 2048

func writeJSON(w http.ResponseWriter, status int, v any) {
	ct := "application/json"
	if p, ok := v.(api.Problem); ok {
		ct = "application/problem+json"
		p.Detail = truncate(p.Detail, maxDetail)
		v = p
	}
	w.Header().Set("Content-Type", ct)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// truncate cuts s to at most n bytes on a rune boundary, saying how much was left out.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "… (truncated)"
}
