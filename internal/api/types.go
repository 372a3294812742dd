// Package api holds the wire types of the flink-engine HTTP API. The server encodes them and the client
// decodes them; both import this package, so the two cannot drift. It depends on nothing but the standard
// library.
package api

import (
	"encoding/json"
	"time"
)

// Page is one page of a listing. NextPageToken is empty on the last page.
type Page[T any] struct {
	Items         []T    `json:"items"`
	NextPageToken string `json:"next_page_token,omitempty"`
}

// Problem is an application/problem+json error body (RFC 9457) with a stable machine-readable Code.
type Problem struct {
	Type   string `json:"type,omitempty"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Code   string `json:"code"`
	Detail string `json:"detail"`
	// TaskID names the clone task holding a lock (code "locked").
	TaskID string `json:"task_id,omitempty"`
	// Counts carries per-kind object counts (code "namespace_not_empty").
	Counts map[string]int `json:"counts,omitempty"`
}

// Stable error codes.
const (
	CodeUnauthenticated     = "unauthenticated"
	CodeForbidden           = "forbidden"
	CodeNotFound            = "not_found"
	CodeConflict            = "conflict"
	CodeAlreadyExists       = "already_exists"
	CodeLocked              = "locked"
	CodeInvalidArgument     = "invalid_argument"
	CodePreconditionFailed  = "precondition_failed" // stale version (HTTP 412)
	CodeIdempotencyMismatch = "idempotency_key_reused"
	CodeNamespaceNotEmpty   = "namespace_not_empty"
	CodeJobNotRunning       = "job_not_running"
	CodeJobNotStopped       = "job_not_stopped"
	CodeIncompatibleState   = "incompatible_state"
	CodeSnapshotInUse       = "snapshot_in_use"
	CodeCloneRunning        = "clone_running"
	CodeRegionMismatch      = "region_mismatch"
	CodeArchMismatch        = "architecture_mismatch"
	CodeStorageIncompatible = "storage_incompatible"
	CodeCloneDisabled       = "clone_disabled"
	CodeStorageAccessDenied = "storage_access_denied" // the storage refused an action (HTTP 403); the message names it
	CodeInsufficientStorage = "insufficient_storage"  // the disk or bucket quota is full (HTTP 507)
	CodeStorageReadOnly     = "storage_read_only"     // the storage refuses writes (HTTP 503)
	CodeStorageUnavailable  = "storage_unavailable"   // the storage service cannot be reached (HTTP 503)
	CodeInternal            = "internal"
	CodeUnavailable         = "unavailable"
)

// HeaderIdempotencyKey is honoured by every mutating request: a repeat with the same key and body gets
// the first answer.
const HeaderIdempotencyKey = "Idempotency-Key"

// Roles on a namespace, weakest first.
const (
	RoleViewer = "VIEWER"
	RoleEditor = "EDITOR"
	RoleOwner  = "OWNER"
)

// Duration is a time.Duration that travels as a Go duration string ("30s", "10m", "168h"). It keeps the
// text it was parsed from, so a value comes back as it was written: "90s" stays "90s" through the
// engine and a read, where re-formatting would give "1m30s" and an import would plan a change.
type Duration struct {
	d    time.Duration
	text string // as written; empty when made from a number
}

// DurationOf makes a Duration from a number; it is written in Go's form.
func DurationOf(d time.Duration) Duration { return Duration{d: d} }

// ParseDuration parses a Go duration string and keeps the text.
func ParseDuration(s string) (Duration, error) {
	if s == "" {
		return Duration{}, nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return Duration{}, err
	}
	return Duration{d: v, text: s}, nil
}

// Std is the value as a time.Duration.
func (d Duration) Std() time.Duration { return d.d }

// Text is the duration as it was written, or "" when it was made from a number.
func (d Duration) Text() string { return d.text }

// IsZero makes `omitzero` leave out an unset duration.
func (d Duration) IsZero() bool { return d.d == 0 }

func (d Duration) String() string {
	if d.text != "" {
		return d.text
	}
	return d.d.String()
}

func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := ParseDuration(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// WhoAmI describes the caller.
type WhoAmI struct {
	User  string `json:"user"`
	Admin bool   `json:"admin"`
}

// TokenRequest creates an API token for a user (admin only). The user exists from then on.
type TokenRequest struct {
	User        string `json:"user"`
	Description string `json:"description,omitempty"`
}

// Token is an API token. Secret is returned once, by the create call.
type Token struct {
	ID          string    `json:"id"`
	User        string    `json:"user"`
	Description string    `json:"description,omitempty"`
	Secret      string    `json:"token,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
}
