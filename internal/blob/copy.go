package blob

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"
)

// checkSameChecksum confirms that a server-side copy records the sha256 the source recorded, so that
// reads of the copy verify against the source's bytes (a source with none, written by Flink, has a
// hard-linked copy with none).
func checkSameChecksum(ctx context.Context, src Store, srcKey string, dst Store, copied Info) error {
	srcInfo, err := src.Stat(ctx, srcKey)
	if err != nil {
		return fmt.Errorf("blob: copy %s: re-reading the source's checksum: %w", src.Location(srcKey), err)
	}
	if copied.SHA256 != srcInfo.SHA256 {
		return fmt.Errorf("%w: copy %s to %s: source sha256 %q, copy records %q",
			ErrChecksum, src.Location(srcKey), dst.Location(copied.Key), srcInfo.SHA256, copied.SHA256)
	}
	return nil
}

// streamCopy reads the source through its verifying reader, so a corrupted source fails the Put (which
// then leaves nothing under dstKey) instead of producing a copy of bad bytes.
func streamCopy(ctx context.Context, src Store, srcKey string, dst Store, dstKey string) (Info, error) {
	body, srcInfo, err := src.Get(ctx, srcKey)
	if err != nil {
		return Info{}, err
	}
	defer body.Close()
	info, err := dst.Put(ctx, dstKey, body)
	if err != nil {
		return Info{}, fmt.Errorf("blob: copy %s to %s: %w", src.Location(srcKey), dst.Location(dstKey), err)
	}
	if srcInfo.SHA256 != "" && info.SHA256 != srcInfo.SHA256 {
		_ = dst.Delete(ctx, dstKey)
		return Info{}, fmt.Errorf("%w: copy %s to %s: source records sha256 %s, the copy's bytes hash to %s",
			ErrChecksum, src.Location(srcKey), dst.Location(dstKey), srcInfo.SHA256, info.SHA256)
	}
	return info, nil
}

// DefaultCopyParallelism is what CopyPrefix uses when asked for parallel <= 0.
const DefaultCopyParallelism = 8

// CopyPrefix copies every key under srcPrefix in src to dst, replacing srcPrefix with dstPrefix in each
// key, with up to parallel copies at once. It returns the copies' Info sorted by key. On the first
// failure it stops starting copies and returns the error; copies already made are left in place (the
// caller decides whether to DeletePrefix them).
func CopyPrefix(ctx context.Context, src Store, srcPrefix string, dst Store, dstPrefix string, parallel int) ([]Info, error) {
	if parallel <= 0 {
		parallel = DefaultCopyParallelism
	}
	group, ctx := errgroup.WithContext(ctx)
	group.SetLimit(parallel)
	var (
		mu     sync.Mutex
		copies []Info
	)
	listErr := src.List(ctx, srcPrefix, func(info Info) error {
		srcKey := info.Key
		dstKey := dstPrefix + strings.TrimPrefix(srcKey, srcPrefix)
		group.Go(func() error {
			copied, err := Copy(ctx, src, srcKey, dst, dstKey)
			if err != nil {
				return err
			}
			mu.Lock()
			copies = append(copies, copied)
			mu.Unlock()
			return nil
		})
		return ctx.Err() // a failed copy cancels ctx: stop listing
	})
	if err := group.Wait(); err != nil {
		return nil, err
	}
	if listErr != nil {
		return nil, fmt.Errorf("blob: copy prefix %s: %w", src.Location(srcPrefix), listErr)
	}
	sort.Slice(copies, func(i, j int) bool { return copies[i].Key < copies[j].Key })
	return copies, nil
}
