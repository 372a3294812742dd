package engine

import (
	"errors"
	"fmt"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/store"
)

// Error is a domain error with a stable code (api.Code*) and a message a person can act on. The server
// maps the code to an HTTP status.
type Error struct {
	Code    string
	Message string
	TaskID  string
	Counts  map[string]int
}

func (e *Error) Error() string { return e.Message }

func errf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

func notFound(what, id string) *Error {
	return errf(api.CodeNotFound, "%s %q not found", what, id)
}

func invalid(field, format string, args ...any) *Error {
	return errf(api.CodeInvalidArgument, "%s: %s", field, fmt.Sprintf(format, args...))
}

// CodeOf returns the code of a domain error, or "" for any other error.
func CodeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// get reads a record and turns store.ErrNotFound into a not_found domain error.
func get(tx store.Tx, table, what, id string, out any) error {
	err := tx.Get(table, id, out)
	if errors.Is(err, store.ErrNotFound) {
		return notFound(what, id)
	}
	return err
}
