package engine

import (
	"errors"
	"fmt"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/blob"
)

// remoteDetailMax bounds how much of a storage service's own error text the admin is shown.
const remoteDetailMax = 300

// exposeStorage turns an error the machine or the storage service caused into a domain error with a
// stable code (insufficient_storage, storage_read_only, storage_access_denied naming the action,
// storage_unavailable) instead of "internal". The remote text (endpoint, bucket, key, the service's own
// words) reaches only the admin, trimmed; everyone else gets the code and what to do. Domain errors
// and unclassified errors pass through unchanged.
func exposeStorage(p Principal, err error) error {
	if err == nil {
		return nil
	}
	var de *Error
	if errors.As(err, &de) {
		return err
	}
	failure, action := blob.Classify(err)
	if action == "" {
		action = "the storage operation"
	}
	var out *Error
	switch failure {
	case blob.FailureNoSpace:
		out = errf(api.CodeInsufficientStorage, "the storage is full (%s failed): free space or raise the quota, then retry", action)
	case blob.FailureReadOnly:
		out = errf(api.CodeStorageReadOnly, "the storage is read-only (%s failed): the operator must make it writable, then retry", action)
	case blob.FailureAccessDenied:
		out = errf(api.CodeStorageAccessDenied, "the storage denied %s: the workspace's storage credentials (or the engine's file permissions) must allow it; ask the engine admin", action)
	case blob.FailureUnreachable:
		out = errf(api.CodeStorageUnavailable, "the storage cannot be reached (%s failed): retry later, or ask the engine admin to check the workspace's storage endpoint", action)
	case blob.FailureRemote:
		out = errf(api.CodeStorageUnavailable, "the storage answered %s with an error: ask the engine admin to check the workspace's storage settings (endpoint, bucket, region)", action)
	default:
		return err
	}
	if p.Admin {
		out.Message += fmt.Sprintf(" (storage said: %s)", excerpt(err.Error(), remoteDetailMax))
	}
	return out
}

// storageFailureText is how a storage failure is recorded on a job or snapshot that any VIEWER reads:
// the code's words, never the remote text.
func storageFailureText(err error) string {
	var de *Error
	if exposed := exposeStorage(Principal{}, err); errors.As(exposed, &de) {
		return de.Message
	}
	return err.Error()
}
