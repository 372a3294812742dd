package blob_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/streamstate/terraform-provider-flink/internal/blob"
	"github.com/streamstate/terraform-provider-flink/internal/blob/blobtest"
)

func TestOpenFileURL(t *testing.T) {
	dir := t.TempDir()
	store, err := blob.Open(context.Background(), "file://"+dir)
	if err != nil {
		t.Fatal(err)
	}
	fs, ok := store.(*blob.FS)
	if !ok || fs.Root() != dir {
		t.Fatalf("Open(file://%s) = %#v, want an *FS rooted there", dir, store)
	}
}

func TestOpenS3URLReachesTheBucket(t *testing.T) {
	srv := blobtest.StartS3(t)
	srv.Bucket(t, "managed")
	t.Setenv("AWS_ACCESS_KEY_ID", srv.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", srv.SecretKey)
	raw := fmt.Sprintf("s3://managed/ws-1/ns-1?endpoint=%s&region=us-east-1&path_style=true", url.QueryEscape(srv.Endpoint))
	store, err := blob.Open(context.Background(), raw)
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, store, "k", []byte("v"))
	mustRead(t, store, "k", []byte("v"))
	if got := store.Location("k"); got != "s3://managed/ws-1/ns-1/k" {
		t.Fatalf("location = %s", got)
	}
}

func TestOpenNamesTheBadPart(t *testing.T) {
	for raw, want := range map[string]string{
		"/var/lib/state":                      "no scheme",
		"ftp://host/x":                        `"ftp"`,
		"file://server/share":                 `host "server"`,
		"file:///tmp/x?mode=1":                "query",
		"s3:///prefix":                        "no bucket",
		"s3://b/p?pathstyle=true&colour=blue": "colour, pathstyle",
		"s3://b/p?path_style=maybe":           `path_style="maybe"`,
		"s3://b/p?endpoint=127.0.0.1:9000":    "endpoint",
		"s3://key:secret@b/p":                 "AWS_ACCESS_KEY_ID",
	} {
		_, err := blob.Open(context.Background(), raw)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Open(%q) = %v, want an error mentioning %s", raw, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "secret") && strings.Contains(raw, "secret") {
			t.Errorf("Open(%q) error leaks the secret: %v", raw, err)
		}
	}
}
