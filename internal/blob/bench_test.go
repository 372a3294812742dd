package blob_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/streamstate/terraform-provider-flink/internal/blob"
	"github.com/streamstate/terraform-provider-flink/internal/blob/blobtest"
)

const (
	benchObjects    = 50
	benchObjectSize = 5 << 20
)

// fillPrefix writes benchObjects objects of benchObjectSize under "src/".
func fillPrefix(b *testing.B, store blob.Store) {
	b.Helper()
	data := randomBytes(b, benchObjectSize)
	for i := range benchObjects {
		data[0] = byte(i) // distinct objects
		mustPut(b, store, fmt.Sprintf("src/%03d", i), data)
	}
}

// benchCopyPrefix reports MB/s of whole-prefix copies (the copied bytes, whether or not they travel).
func benchCopyPrefix(b *testing.B, src, dst blob.Store) {
	ctx := context.Background()
	b.SetBytes(benchObjects * benchObjectSize)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		copies, err := blob.CopyPrefix(ctx, src, "src/", dst, fmt.Sprintf("copy-%d/", i), 8)
		if err != nil {
			b.Fatal(err)
		}
		if len(copies) != benchObjects {
			b.Fatalf("copied %d objects, want %d", len(copies), benchObjects)
		}
		b.StopTimer()
		if err := dst.DeletePrefix(ctx, fmt.Sprintf("copy-%d/", i)); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}

func BenchmarkFSCopyPrefix(b *testing.B) {
	src := blobtest.NewFSStore(b)
	fillPrefix(b, src)
	b.Run("hard-link", func(b *testing.B) { benchCopyPrefix(b, src, src) })
	b.Run("streamed-to-s3", func(b *testing.B) {
		srv := blobtest.StartS3(b)
		benchCopyPrefix(b, src, blobtest.NewS3Store(b, srv.Bucket(b, "target")))
	})
}

func BenchmarkS3CopyPrefix(b *testing.B) {
	one := blobtest.StartS3(b)
	src := blobtest.NewS3Store(b, one.Bucket(b, "source"))
	fillPrefix(b, src)
	b.Run("server-side", func(b *testing.B) {
		benchCopyPrefix(b, src, blobtest.NewS3Store(b, one.Bucket(b, "target")))
	})
	b.Run("streamed-across-servers", func(b *testing.B) {
		two := blobtest.StartS3(b)
		benchCopyPrefix(b, src, blobtest.NewS3Store(b, two.Bucket(b, "target")))
	})
}
