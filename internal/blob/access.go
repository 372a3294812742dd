package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// AccessError says which read permission a store is missing and what to grant.
type AccessError struct {
	Bucket string // the S3 bucket, or the directory of a filesystem store
	Prefix string // the prefix checked inside the bucket ("" for a filesystem store)
	Action string // "ListObjects" or "GetObject"
	Key    string // the object GetObject was tried on
	FS     bool   // a filesystem store: the advice is about file permissions
	Err    error
}

func (e *AccessError) Error() string {
	if e.FS {
		if e.Action == "ListObjects" {
			return fmt.Sprintf("cannot list directory %s: %v; grant the engine's user read and execute permission on it", e.Bucket, e.Err)
		}
		return fmt.Sprintf("cannot read file %s in %s: %v; grant the engine's user read permission on it", e.Key, e.Bucket, e.Err)
	}
	if e.Action == "ListObjects" {
		return fmt.Sprintf("cannot list bucket %q prefix %q: %v; grant s3:ListBucket (ListObjects) on bucket %s prefix %q to the engine's credentials",
			e.Bucket, e.Prefix, e.Err, e.Bucket, e.Prefix)
	}
	return fmt.Sprintf("cannot read object %q in bucket %q: %v; grant s3:GetObject (GetObject) on bucket %s prefix %q to the engine's credentials",
		e.Key, e.Bucket, e.Err, e.Bucket, e.Prefix)
}

func (e *AccessError) Unwrap() error { return e.Err }

var errStopListing = errors.New("stop listing")

// CheckReadAccess proves that s can be listed and, when it holds any object, that one can be read
// (the first byte suffices). It returns an *AccessError naming what failed.
func CheckReadAccess(ctx context.Context, s Store) error {
	access := &AccessError{Bucket: s.Location(""), Action: "ListObjects"}
	switch st := s.(type) {
	case *S3:
		access.Bucket, access.Prefix = st.Bucket(), st.Prefix()
	case *FS:
		access.Bucket, access.FS = st.Root(), true
	}
	var first string
	err := s.List(ctx, "", func(info Info) error {
		first = info.Key
		return errStopListing
	})
	if err != nil && !errors.Is(err, errStopListing) {
		access.Err = err
		return access
	}
	if first == "" {
		return nil
	}
	access.Action, access.Key = "GetObject", first
	body, _, err := s.Get(ctx, first)
	if err == nil {
		_, err = body.Read(make([]byte, 1))
		body.Close()
		if err == io.EOF {
			err = nil
		}
	}
	if err != nil {
		access.Err = err
		return access
	}
	return nil
}
