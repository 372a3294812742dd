package blob_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/streamstate/terraform-provider-flink/internal/blob"
	"github.com/streamstate/terraform-provider-flink/internal/blob/blobtest"
)

func TestCheckReadAccessPassesWithGoodCredentials(t *testing.T) {
	srv := blobtest.StartS3(t)
	cfg := srv.Bucket(t, "oss-source")
	store := blobtest.NewS3Store(t, cfg)
	if err := blob.CheckReadAccess(context.Background(), store); err != nil {
		t.Fatalf("empty bucket: %v", err)
	}
	mustPut(t, store, "job/chk-1/_metadata", []byte("x"))
	if err := blob.CheckReadAccess(context.Background(), store); err != nil {
		t.Fatalf("bucket with an object: %v", err)
	}
	if err := blob.CheckReadAccess(context.Background(), blobtest.NewFSStore(t)); err != nil {
		t.Fatalf("filesystem store: %v", err)
	}
}

func TestCheckReadAccessNamesBucketAndActionOnWrongCredentials(t *testing.T) {
	srv := blobtest.StartS3(t)
	cfg := srv.Bucket(t, "oss-source")
	cfg.Prefix = "ws/ns"
	cfg.SecretAccessKey = "not-the-secret-0123456789"
	store := blobtest.NewS3Store(t, cfg)
	err := blob.CheckReadAccess(context.Background(), store)
	var access *blob.AccessError
	if !errors.As(err, &access) {
		t.Fatalf("want an *AccessError, got %T %v", err, err)
	}
	if access.Bucket != "oss-source" || access.Action != "ListObjects" {
		t.Fatalf("AccessError = bucket %q action %q, want oss-source ListObjects", access.Bucket, access.Action)
	}
	msg := err.Error()
	for _, want := range []string{`bucket "oss-source"`, "s3:ListBucket", "ListObjects", `prefix "ws/ns"`, "engine's credentials"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q does not mention %s", msg, want)
		}
	}
	if strings.Contains(msg, cfg.SecretAccessKey) {
		t.Fatalf("message leaks the secret: %s", msg)
	}
}

func TestS3ConfigNeverPrintsTheSecret(t *testing.T) {
	cfg := blob.S3Config{Bucket: "b", AccessKeyID: "AKIA", SecretAccessKey: "very-secret"}
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		if out := fmt.Sprintf(format, cfg); strings.Contains(out, "very-secret") || !strings.Contains(out, "AKIA") {
			t.Errorf("Sprintf(%s) = %s: want the key id and no secret", format, out)
		}
	}
}

func TestAccessErrorSaysWhatToGrantForGetObject(t *testing.T) {
	err := &blob.AccessError{Bucket: "oss-source", Prefix: "ws/ns", Action: "GetObject", Key: "job/chk-1/_metadata", Err: errors.New("AccessDenied")}
	msg := err.Error()
	for _, want := range []string{`bucket "oss-source"`, "s3:GetObject", "job/chk-1/_metadata", "AccessDenied", `prefix "ws/ns"`} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q does not mention %s", msg, want)
		}
	}
	fsErr := &blob.AccessError{Bucket: "/data/state", Action: "ListObjects", FS: true, Err: errors.New("permission denied")}
	if msg := fsErr.Error(); !strings.Contains(msg, "/data/state") || !strings.Contains(msg, "read and execute permission") {
		t.Errorf("filesystem message %q does not name the directory and the permission", msg)
	}
}
