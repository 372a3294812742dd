package flink

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/streamstate/terraform-provider-flink/internal/blob"
	"github.com/streamstate/terraform-provider-flink/internal/runtime"
)

// copyParallel is how many files CopyState copies at once.
const copyParallel = 8

// CopyState copies a savepoint directory to dstPrefix in dst: every file under src.Prefix, in parallel,
// each verified by size (blob.Copy also checks sha256 where it is recorded), _metadata last so a
// destination without it is a partial copy (left for the caller to remove, see runtime.Runtime). Savepoints
// (CANONICAL and NATIVE) are self-contained and relocatable; a checkpoint references files by absolute
// path and shares files with other checkpoints, so it returns runtime.ErrNotRelocatable.
func (r *Runtime) CopyState(ctx context.Context, src runtime.StateRef, dst blob.Store, dstPrefix string) (runtime.StateInfo, error) {
	if src.Checkpoint {
		return runtime.StateInfo{}, fmt.Errorf("%w: %s is a Flink checkpoint: it points at its files by absolute path and shares them with other checkpoints; copy a savepoint (job snapshot) instead",
			runtime.ErrNotRelocatable, src.Storage.Location(src.Prefix))
	}
	srcDir := strings.TrimSuffix(src.Prefix, "/") + "/"
	var files []blob.Info
	var meta *blob.Info
	err := src.Storage.List(ctx, srcDir, func(info blob.Info) error {
		if info.Key == srcDir+runtime.MetadataFile {
			m := info
			meta = &m
			return nil
		}
		files = append(files, info)
		return nil
	})
	if err != nil {
		return runtime.StateInfo{}, fmt.Errorf("flink runtime: copy state %s: %w", src.Storage.Location(src.Prefix), err)
	}
	if meta == nil {
		return runtime.StateInfo{}, fmt.Errorf("flink runtime: copy state: %w: %s holds no %s, so it is not a complete savepoint",
			runtime.ErrCorruptState, src.Storage.Location(src.Prefix), runtime.MetadataFile)
	}
	copyOne := func(ctx context.Context, f blob.Info) error {
		to := joinKey(dstPrefix, strings.TrimPrefix(f.Key, srcDir))
		info, err := blob.Copy(ctx, src.Storage, f.Key, dst, to)
		if err != nil {
			return fmt.Errorf("copy %s to %s: %w", src.Storage.Location(f.Key), dst.Location(to), err)
		}
		if info.Size != f.Size {
			return fmt.Errorf("%w: %s copied as %d bytes but the source has %d", runtime.ErrCorruptState, dst.Location(to), info.Size, f.Size)
		}
		return nil
	}
	err = forEachParallel(ctx, len(files), copyParallel, func(ctx context.Context, i int) error { return copyOne(ctx, files[i]) })
	if err == nil {
		err = copyOne(ctx, *meta)
	}
	if err != nil {
		return runtime.StateInfo{}, fmt.Errorf("flink runtime: copy state %s: %w", src.Storage.Location(src.Prefix), err)
	}
	out := runtime.StateInfo{Files: len(files) + 1, SizeBytes: meta.Size}
	for _, f := range files {
		out.SizeBytes += f.Size
	}
	return out, nil
}

// forEachParallel runs fn(0..n-1) on at most parallel goroutines and returns the first error; items not
// started when an error happens are skipped.
func forEachParallel(ctx context.Context, n, parallel int, fn func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	idx := make(chan int)
	errs := make(chan error, parallel)
	var wg sync.WaitGroup
	for w := 0; w < min(parallel, n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range idx {
				if err := fn(ctx, i); err != nil {
					errs <- err
					cancel()
					return
				}
			}
		}()
	}
	for i := 0; i < n && ctx.Err() == nil; i++ {
		select {
		case idx <- i:
		case <-ctx.Done():
		}
	}
	close(idx)
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	return ctx.Err()
}
