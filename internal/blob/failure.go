package blob

import (
	"errors"
	"io/fs"
	"net"
	"strings"
	"syscall"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
)

// Failure says which fault of the machine or of the storage service an error is, so the engine can
// answer with a stable code instead of "internal".
type Failure int

const (
	// FailureOther is anything else (a bug, a checksum mismatch, a missing object...).
	FailureOther Failure = iota
	// FailureNoSpace: the disk or the bucket's quota is full.
	FailureNoSpace
	// FailureReadOnly: the storage refuses writes (a read-only filesystem).
	FailureReadOnly
	// FailureAccessDenied: the credentials or file permissions do not allow the action (S3 403, EACCES).
	FailureAccessDenied
	// FailureUnreachable: the storage service cannot be reached or answers 5xx.
	FailureUnreachable
	// FailureRemote: any other error answer of the storage service (a missing bucket, a bad request):
	// its text is the service's, so it is shown to the admin only.
	FailureRemote
)

// Classify returns the failure err is, and the action that failed as S3 names it (PutObject,
// GetObject, ListObjectsV2, DeleteObject...) or as the filesystem does (open, mkdir, unlinkat...).
func Classify(err error) (Failure, string) {
	if err == nil {
		return FailureOther, ""
	}
	action := ""
	var op *smithy.OperationError
	if errors.As(err, &op) {
		action = op.OperationName
	}
	var pe *fs.PathError
	if action == "" && errors.As(err, &pe) {
		action = pe.Op
	}
	switch {
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		return FailureNoSpace, action
	case errors.Is(err, syscall.EROFS):
		return FailureReadOnly, action
	case errors.Is(err, fs.ErrPermission):
		return FailureAccessDenied, action
	}
	var ae *AccessError
	if errors.As(err, &ae) {
		if ae.Action != "" {
			action = ae.Action
		}
		if errors.Is(ae.Err, fs.ErrPermission) || isForbidden(ae.Err) {
			return FailureAccessDenied, action
		}
	}
	if isForbidden(err) {
		return FailureAccessDenied, action
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "QuotaExceeded", "InsufficientStorage", "EntityTooLarge":
			return FailureNoSpace, action
		}
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		switch {
		case re.HTTPStatusCode() == 507:
			return FailureNoSpace, action
		case re.HTTPStatusCode() >= 500:
			return FailureUnreachable, action
		}
	}
	var ne net.Error
	var oe *net.OpError
	if errors.As(err, &oe) || (errors.As(err, &ne) && ne.Timeout()) || errors.Is(err, syscall.ECONNREFUSED) ||
		strings.Contains(err.Error(), "no such host") {
		return FailureUnreachable, action
	}
	if errors.As(err, &api) || errors.As(err, &re) {
		return FailureRemote, action
	}
	return FailureOther, action
}

func isForbidden(err error) bool {
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() == 403 {
		return true
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "AccessDenied", "Forbidden", "InvalidAccessKeyId", "SignatureDoesNotMatch", "AllAccessDisabled":
			return true
		}
	}
	return false
}
