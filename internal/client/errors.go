package client

import (
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
)

// Error is an error answer of the engine: the HTTP status plus the stable code and message of its
// application/problem+json body. Code is empty when the body was not a problem document (a proxy's page).
type Error struct {
	Status  int
	Code    string
	Message string
	// TaskID names the clone task holding a lock (code "locked").
	TaskID string
	// Counts carries per-kind object counts (code "namespace_not_empty").
	Counts map[string]int
	// Method and Path say which call failed; they never include a query string or a body.
	Method string
	Path   string
	// Retried says the answer came to a retry of the request (an earlier attempt's answer was lost; the
	// engine answers a retry under the same Idempotency-Key as it answered that attempt).
	Retried bool
	// LockWaited is how long the call was sent again while the namespace stayed locked (Config.LockTimeout).
	LockWaited time.Duration
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Message)
	if e.Message == "" {
		b.WriteString(http.StatusText(e.Status))
	}
	fmt.Fprintf(&b, " (HTTP %d", e.Status)
	if e.Code != "" {
		fmt.Fprintf(&b, ", code %s", e.Code)
	}
	if e.Method != "" {
		fmt.Fprintf(&b, ", %s %s", e.Method, e.Path)
	}
	b.WriteString(")")
	return b.String()
}

// CountsSummary renders Counts as "2 deployments, 1 variables", kinds sorted, empty kinds left out.
func (e *Error) CountsSummary() string {
	return SummarizeCounts(e.Counts)
}

// SummarizeCounts renders per-kind counts as "2 deployments, 1 variables", sorted by kind.
func SummarizeCounts(counts map[string]int) string {
	kinds := make([]string, 0, len(counts))
	for k, n := range counts {
		if n > 0 {
			kinds = append(kinds, k)
		}
	}
	sort.Strings(kinds)
	parts := make([]string, len(kinds))
	for i, k := range kinds {
		parts[i] = fmt.Sprintf("%d %s", counts[k], k)
	}
	return strings.Join(parts, ", ")
}

func problemError(status int, p api.Problem) *Error {
	msg := p.Detail
	if msg == "" {
		msg = p.Title
	}
	return &Error{Status: status, Code: p.Code, Message: msg, TaskID: p.TaskID, Counts: p.Counts}
}

// AsError returns the *Error inside err, if any.
func AsError(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// HasCode reports whether err is an engine error with the given stable code.
func HasCode(err error, code string) bool {
	e, ok := AsError(err)
	return ok && e.Code == code
}

func hasStatusOrCode(err error, status int, codes ...string) bool {
	e, ok := AsError(err)
	if !ok {
		return false
	}
	if e.Code == "" {
		return e.Status == status
	}
	for _, c := range codes {
		if e.Code == c {
			return true
		}
	}
	return false
}

// IsNotFound reports a 404 / not_found answer.
func IsNotFound(err error) bool { return hasStatusOrCode(err, http.StatusNotFound, api.CodeNotFound) }

// IsConflict reports a conflict with the current state: conflict, already_exists, namespace_not_empty,
// clone_running or any other 409 answer.
func IsConflict(err error) bool {
	e, ok := AsError(err)
	return ok && (e.Status == http.StatusConflict || e.Code == api.CodeConflict || e.Code == api.CodeAlreadyExists)
}

// IsStale reports a 412 / precondition_failed answer: the version sent is not the current one.
func IsStale(err error) bool {
	return hasStatusOrCode(err, http.StatusPreconditionFailed, api.CodePreconditionFailed)
}

// IsLocked reports that a running clone holds the namespace (code locked; Error.TaskID names the task).
func IsLocked(err error) bool { return hasStatusOrCode(err, http.StatusLocked, api.CodeLocked) }

// IsForbidden reports a 403 / forbidden answer: the token's user lacks the role the call needs.
func IsForbidden(err error) bool {
	return hasStatusOrCode(err, http.StatusForbidden, api.CodeForbidden)
}

// IsUnauthenticated reports a 401 answer: the token is missing, unknown or revoked.
func IsUnauthenticated(err error) bool {
	return hasStatusOrCode(err, http.StatusUnauthorized, api.CodeUnauthenticated)
}

// IsInvalid reports a 400 / invalid_argument answer.
func IsInvalid(err error) bool {
	return hasStatusOrCode(err, http.StatusBadRequest, api.CodeInvalidArgument)
}

// IsStorageFailure reports an answer about the namespace's storage rather than the request: it is full
// (insufficient_storage, 507), read-only or unreachable (503), or it denied an action
// (storage_access_denied, 403; the message names the action).
func IsStorageFailure(err error) bool {
	e, ok := AsError(err)
	if !ok {
		return false
	}
	switch e.Code {
	case api.CodeInsufficientStorage, api.CodeStorageReadOnly, api.CodeStorageUnavailable, api.CodeStorageAccessDenied:
		return true
	}
	return e.Code == "" && e.Status == http.StatusInsufficientStorage
}
