package blob_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/streamstate/terraform-provider-flink/internal/blob"
	"github.com/streamstate/terraform-provider-flink/internal/blob/blobtest"
)

func TestCopyPrefixCopiesEveryKeyUnderThePrefixInParallel(t *testing.T) {
	ctx := context.Background()
	srv := blobtest.StartS3(t)
	cfg := srv.Bucket(t, "target")
	cfg.Prefix = "ns-2"
	dst := blobtest.NewS3Store(t, cfg)
	src := blobtest.NewFSStore(t)
	contents := map[string][]byte{}
	for i := range 30 {
		key := fmt.Sprintf("job-1/chk-9/shared/%02d", i)
		contents[key] = randomBytes(t, 1000+i)
		mustPut(t, src, key, contents[key])
	}
	mustPut(t, src, "job-1/chk-90/not-copied", []byte("x"))

	copies, err := blob.CopyPrefix(ctx, src, "job-1/chk-9/", dst, "job-2/chk-1/", 4)
	if err != nil {
		t.Fatal(err)
	}
	if len(copies) != 30 {
		t.Fatalf("CopyPrefix returned %d copies, want 30", len(copies))
	}
	for i, info := range copies {
		wantKey := fmt.Sprintf("job-2/chk-1/shared/%02d", i)
		data := contents[fmt.Sprintf("job-1/chk-9/shared/%02d", i)]
		if info.Key != wantKey || info.SHA256 != sha256Hex(data) {
			t.Fatalf("copy %d = %+v, want key %s sha256 %s", i, info, wantKey, sha256Hex(data))
		}
		mustRead(t, dst, wantKey, data)
	}
	if got := listKeys(t, dst, ""); len(got) != 30 {
		t.Fatalf("target holds %d keys, want 30", len(got))
	}
}

func TestCopyPrefixReportsAFailedCopy(t *testing.T) {
	src, dst := blobtest.NewFSStore(t), blobtest.NewFSStore(t)
	mustPut(t, src, "p/a", []byte("x"))
	mustPut(t, src, "p/b", []byte("y"))
	// "blocked" is a file in the target, so no key can live under "blocked/".
	mustPut(t, dst, "blocked", []byte("a file where a directory is needed"))
	_, err := blob.CopyPrefix(context.Background(), src, "p/", dst, "blocked/", 2)
	if err == nil || !strings.Contains(err.Error(), "blocked/") {
		t.Fatalf("CopyPrefix into a path blocked by a file: want an error naming the target, got %v", err)
	}
}
