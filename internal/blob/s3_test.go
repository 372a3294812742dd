package blob_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"golang.org/x/sync/errgroup"

	"github.com/streamstate/terraform-provider-flink/internal/blob"
	"github.com/streamstate/terraform-provider-flink/internal/blob/blobtest"
)

func TestS3RoundTripDetectsObjectsChangedBehindTheStore(t *testing.T) {
	ctx := context.Background()
	srv := blobtest.StartS3(t)
	cfg := srv.Bucket(t, "state")
	cfg.Prefix = "/ns-1/"
	store := blobtest.NewS3Store(t, cfg)
	data := randomBytes(t, 200_000)
	info := mustPut(t, store, "chk-1/_metadata", data)
	if info.SHA256 != sha256Hex(data) || info.Size != int64(len(data)) || info.ModTime.IsZero() {
		t.Fatalf("put info = %+v, want sha256 %s size %d", info, sha256Hex(data), len(data))
	}
	mustRead(t, store, "chk-1/_metadata", data)
	if got := store.Location("chk-1/_metadata"); got != "s3://state/ns-1/chk-1/_metadata" {
		t.Fatalf("location = %s", got)
	}
	head, err := srv.Client().HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("state"), Key: aws.String("ns-1/chk-1/_metadata")})
	if err != nil || head.Metadata["sha256"] != info.SHA256 {
		t.Fatalf("x-amz-meta-sha256 on the object = %v (%v), want %s", head, err, info.SHA256)
	}

	// Someone rewrites the bytes but keeps the recorded checksum.
	_, err = srv.Client().PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String("state"), Key: aws.String("ns-1/chk-1/_metadata"),
		Body: bytes.NewReader(randomBytes(t, len(data))), Metadata: map[string]string{"sha256": info.SHA256},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := readAll(t, store, "chk-1/_metadata"); !errors.Is(err, blob.ErrChecksum) {
		t.Fatalf("reading an object overwritten behind the store: want ErrChecksum, got %v", err)
	}

	// The disk under the gateway flips a byte.
	mustPut(t, store, "chk-1/other", data)
	path := srv.ObjectPath("state", "ns-1/chk-1/other")
	onDisk, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	onDisk[10] ^= 0xff
	if err := os.WriteFile(path, onDisk, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := readAll(t, store, "chk-1/other"); !errors.Is(err, blob.ErrChecksum) {
		t.Fatalf("reading an object corrupted on disk: want ErrChecksum, got %v", err)
	}
	if _, _, err := store.Get(ctx, "chk-1/missing"); !errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("get of a missing key: want ErrNotFound, got %v", err)
	}
}

func TestS3FailedPutLeavesNoObject(t *testing.T) {
	srv := blobtest.StartS3(t)
	cfg := srv.Bucket(t, "state")
	cfg.PartSize = 5 << 20
	store := blobtest.NewS3Store(t, cfg)
	for name, size := range map[string]int{"small": 100_000, "multipart": 12 << 20} {
		_, err := store.Put(context.Background(), name, newFailingReader(randomBytes(t, size)))
		if !errors.Is(err, errUpstream) {
			t.Fatalf("%s put from a failing reader: want the reader's error, got %v", name, err)
		}
		wantNotFound(t, store, name)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := store.Put(ctx, "cancelled", bytes.NewReader([]byte("x"))); !errors.Is(err, context.Canceled) {
		t.Fatalf("put with a cancelled context: want context.Canceled, got %v", err)
	}
	if keys := listKeys(t, store, ""); len(keys) != 0 {
		t.Fatalf("list after failed puts = %v, want nothing", keys)
	}
}

func TestS3MultipartUploadOfLargeObject(t *testing.T) {
	srv := blobtest.StartS3(t)
	cfg := srv.Bucket(t, "state")
	cfg.PartSize = 5 << 20
	store := blobtest.NewS3Store(t, cfg)
	data := randomBytes(t, 40<<20)
	info := mustPut(t, store, "savepoint/big", data)
	if info.SHA256 != sha256Hex(data) || info.Size != int64(len(data)) {
		t.Fatalf("put info = %+v, want sha256 %s size %d", info, sha256Hex(data), len(data))
	}
	head, err := srv.Client().HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String("state"), Key: aws.String("savepoint/big")})
	if err != nil {
		t.Fatal(err)
	}
	if etag := aws.ToString(head.ETag); !strings.HasSuffix(strings.Trim(etag, `"`), "-8") {
		t.Fatalf("ETag %s: want a multipart ETag of 8 parts (40 MiB in 5 MiB parts)", etag)
	}
	mustRead(t, store, "savepoint/big", data)
}

func TestS3ListIsPagedAndDeletePrefixRemovesMoreThan1000Keys(t *testing.T) {
	ctx := context.Background()
	srv := blobtest.StartS3(t)
	store := blobtest.NewS3Store(t, srv.Bucket(t, "state"))
	const n = 1100
	var want []string
	group, gctx := errgroup.WithContext(ctx)
	group.SetLimit(32)
	for i := range n {
		key := fmt.Sprintf("chk-7/shared/%05d", i)
		want = append(want, key)
		group.Go(func() error {
			_, err := store.Put(gctx, key, strings.NewReader(key))
			return err
		})
	}
	if err := group.Wait(); err != nil {
		t.Fatal(err)
	}
	mustPut(t, store, "chk-70/kept", []byte("x"))
	sort.Strings(want)
	if got := listKeys(t, store, "chk-7/"); !equalKeys(got, want) {
		t.Fatalf("list returned %d keys (first %v), want %d in lexical order", len(got), got[:min(3, len(got))], n)
	}
	if err := store.DeletePrefix(ctx, "chk-7/"); err != nil {
		t.Fatal(err)
	}
	if got, want := listKeys(t, store, ""), []string{"chk-70/kept"}; !equalKeys(got, want) {
		t.Fatalf("after DeletePrefix = %d keys %v, want %v", len(got), got[:min(3, len(got))], want)
	}
	if err := store.Delete(ctx, "never-written"); err != nil {
		t.Fatalf("deleting a missing key must not fail: %v", err)
	}
}

func TestS3ServerSideCopyOnOneEndpoint(t *testing.T) {
	ctx := context.Background()
	srv := blobtest.StartS3(t)
	src := blobtest.NewS3Store(t, srv.Bucket(t, "source"))
	dstCfg := srv.Bucket(t, "target")
	dstCfg.Prefix = "clone"
	dst := blobtest.NewS3Store(t, dstCfg)
	data := randomBytes(t, 1<<20)
	srcInfo := mustPut(t, src, "chk-4/state", data)

	info, err := dst.CopyFrom(ctx, src, "chk-4/state", "chk-4/state")
	if err != nil {
		t.Fatalf("server-side CopyFrom on one endpoint: %v", err)
	}
	if info.SHA256 != srcInfo.SHA256 || info.Size != srcInfo.Size {
		t.Fatalf("copy info = %+v, want the source's %+v", info, srcInfo)
	}
	mustRead(t, dst, "chk-4/state", data)
	if info, err = blob.Copy(ctx, src, "chk-4/state", dst, "again"); err != nil || info.SHA256 != srcInfo.SHA256 {
		t.Fatalf("blob.Copy = %+v, %v", info, err)
	}

	// An object written by someone else carries no checksum: it must be streamed so one is computed.
	foreign := []byte("written by another tool")
	if _, err := srv.Client().PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("source"), Key: aws.String("foreign"), Body: bytes.NewReader(foreign)}); err != nil {
		t.Fatal(err)
	}
	if _, err := dst.CopyFrom(ctx, src, "foreign", "foreign"); !errors.Is(err, blob.ErrNotSupported) {
		t.Fatalf("CopyFrom of an object without sha256: want ErrNotSupported, got %v", err)
	}
	info, err = blob.Copy(ctx, src, "foreign", dst, "foreign")
	if err != nil || info.SHA256 != sha256Hex(foreign) {
		t.Fatalf("streamed copy of a foreign object = %+v, %v; want sha256 %s", info, err, sha256Hex(foreign))
	}
}

func TestS3MultipartServerSideCopyAboveCopyObjectLimit(t *testing.T) {
	defer blob.SetCopyObjectMaxSize(6 << 20)()
	srv := blobtest.StartS3(t)
	src := blobtest.NewS3Store(t, srv.Bucket(t, "source"))
	cfg := srv.Bucket(t, "target")
	cfg.PartSize = 5 << 20
	dst := blobtest.NewS3Store(t, cfg)
	data := randomBytes(t, 12<<20)
	mustPut(t, src, "big", data)
	info, err := dst.CopyFrom(context.Background(), src, "big", "big")
	if err != nil {
		t.Fatalf("multipart server-side copy: %v", err)
	}
	if info.SHA256 != sha256Hex(data) {
		t.Fatalf("copy records %s, want %s", info.SHA256, sha256Hex(data))
	}
	head, err := srv.Client().HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String("target"), Key: aws.String("big")})
	if err != nil {
		t.Fatal(err)
	}
	if etag := strings.Trim(aws.ToString(head.ETag), `"`); !strings.HasSuffix(etag, "-3") {
		t.Fatalf("ETag %s: want a 3-part multipart copy (12 MiB in 5 MiB parts)", etag)
	}
	mustRead(t, dst, "big", data)
}

func TestStreamedCopyAcrossServersAndStoreKinds(t *testing.T) {
	ctx := context.Background()
	one, two := blobtest.StartS3(t), blobtest.StartS3(t)
	s3One := blobtest.NewS3Store(t, one.Bucket(t, "first"))
	s3Two := blobtest.NewS3Store(t, two.Bucket(t, "second"))
	fsStore := blobtest.NewFSStore(t)
	data := randomBytes(t, 2<<20)
	srcInfo := mustPut(t, s3One, "state", data)

	if _, err := s3Two.CopyFrom(ctx, s3One, "state", "state"); !errors.Is(err, blob.ErrNotSupported) {
		t.Fatalf("CopyFrom across two servers: want ErrNotSupported, got %v", err)
	}
	hops := []struct {
		name   string
		src    blob.Store
		srcKey string
		dst    blob.Store
		dstKey string
	}{
		{"s3 to s3 on another server", s3One, "state", s3Two, "state"},
		{"s3 to fs", s3Two, "state", fsStore, "state"},
		{"fs to s3", fsStore, "state", s3One, "back"},
	}
	for _, hop := range hops {
		info, err := blob.Copy(ctx, hop.src, hop.srcKey, hop.dst, hop.dstKey)
		if err != nil || info.SHA256 != srcInfo.SHA256 {
			t.Fatalf("%s: copy = %+v, %v; want sha256 %s", hop.name, info, err, srcInfo.SHA256)
		}
	}
	mustRead(t, s3One, "back", data)
}

func TestCopyRefusesACorruptedSourceAndLeavesNoCopy(t *testing.T) {
	srv := blobtest.StartS3(t)
	dst := blobtest.NewS3Store(t, srv.Bucket(t, "target"))
	src := blobtest.NewFSStore(t)
	data := randomBytes(t, 50_000)
	mustPut(t, src, "chk/state", data)
	data[0] ^= 0xff
	if err := os.WriteFile(src.Root()+"/chk/state", data, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := blob.Copy(context.Background(), src, "chk/state", dst, "chk/state"); !errors.Is(err, blob.ErrChecksum) {
		t.Fatalf("copy of a corrupted source: want ErrChecksum, got %v", err)
	}
	wantNotFound(t, dst, "chk/state")
}
