package local

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/blob"
	"github.com/streamstate/terraform-provider-flink/internal/runtime"
)

const benchStateBytes = 256 << 20

// plainWrite writes n bytes to a new file and fsyncs it: the floor a durable savepoint is measured against.
func plainWrite(b *testing.B, path string, n int64) time.Duration {
	b.Helper()
	buf := make([]byte, 1<<20)
	r := newChunkReader(42, int64(len(buf)))
	_, _ = r.Read(buf)
	r.release()
	start := time.Now()
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	for written := int64(0); written < n; written += int64(len(buf)) {
		if _, err := f.Write(buf); err != nil {
			b.Fatal(err)
		}
	}
	if err := f.Sync(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	return time.Since(start)
}

// singlePut writes the same number of bytes as one blob.Put (which hashes and fsyncs): the floor the store
// itself sets, so savepoint/put_ratio shows what the savepoint adds on top of the store.
func singlePut(b *testing.B, store blob.Store) time.Duration {
	b.Helper()
	r := newChunkReader(7, benchStateBytes)
	defer r.release()
	start := time.Now()
	if _, err := store.Put(context.Background(), "plain-put", r); err != nil {
		b.Fatal(err)
	}
	d := time.Since(start)
	if err := store.Delete(context.Background(), "plain-put"); err != nil {
		b.Fatal(err)
	}
	return d
}

// pairsPerIteration is how many back-to-back (plain write, savepoint) pairs one iteration times, so that
// make bench's -benchtime 1x still reports a median rather than one pair.
const pairsPerIteration = 3

// BenchmarkSavepoint256MiB takes savepoints of 256 MiB of keyed state (default 4 MiB chunk files) and
// reports the median ratio of their duration to writing and fsyncing the same number of bytes as one
// plain file on the same disk (savepoint/plain_ratio; the target is ≤ 1.2), and to one blob.Put of those
// bytes (savepoint/put_ratio).
func BenchmarkSavepoint256MiB(b *testing.B) {
	store, root := newStore(b)
	rt := New(Options{})
	defer rt.Close()
	spec := jobSpec("bench", store, newRecorder(), map[string]string{"local.state-bytes": "256mb"})
	spec.Checkpoint.Interval = time.Hour
	if _, err := rt.Start(context.Background(), spec); err != nil {
		b.Fatal(err)
	}
	var ratios, putRatios []float64
	var plainTotal time.Duration
	b.SetBytes(benchStateBytes * pairsPerIteration)
	b.ResetTimer()
	for i := 0; i < b.N*pairsPerIteration; i++ {
		b.StopTimer()
		plain := filepath.Join(root, "plain")
		plainTime := plainWrite(b, plain, benchStateBytes)
		plainTotal += plainTime
		_ = os.Remove(plain)
		putTime := singlePut(b, store)
		b.StartTimer()

		start := time.Now()
		res, err := rt.Savepoint(context.Background(), "bench", runtime.SavepointTarget{Storage: store, Prefix: "sp"})
		if err != nil {
			b.Fatal(err)
		}
		ratios = append(ratios, float64(time.Since(start))/float64(plainTime))
		putRatios = append(putRatios, float64(time.Since(start))/float64(putTime))
		if res.SizeBytes != benchStateBytes {
			b.Fatalf("savepoint size = %d, want %d", res.SizeBytes, benchStateBytes)
		}
		b.StopTimer()
		if err := store.DeletePrefix(context.Background(), "sp/"); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	// The median of back-to-back pairs: other work on a shared disk moves single pairs a lot.
	slices.Sort(ratios)
	slices.Sort(putRatios)
	b.ReportMetric(ratios[len(ratios)/2], "savepoint/plain_ratio")
	b.ReportMetric(putRatios[len(putRatios)/2], "savepoint/put_ratio")
	b.ReportMetric(float64(plainTotal.Milliseconds())/float64(b.N*pairsPerIteration), "plain_ms/op")
}
