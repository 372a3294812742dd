package runtime

import (
	"context"
	"fmt"
	"path"
	"strconv"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/blob"
)

// CopyState copies the checkpoint or savepoint at srcPrefix in src into a self-contained savepoint
// directory at dstPrefix in dst: shared files of an incremental checkpoint are materialised inside it and
// every key in the new MetadataFile is relative. Files are copied with blob.Copy (linked or server-side
// where the stores allow) on up to parallel goroutines, and each copy's size and sha256 must equal the
// source metadata's. A copy that shares the source's bytes (a hard link) that nothing wrote to since they
// were hashed is proven by that (blob.LinkedUnchanged); every other copy (copied in the kernel or across
// stores, or a link whose bytes were touched) is read back and hashed. MetadataFile is written last, so a destination without it is a partial copy. A
// failed copy leaves what it wrote under dstPrefix for the caller to remove: only the caller knows whether
// the prefix is still its own (a clone's replica that lost its lease must not remove the new owner's copy).
func CopyState(ctx context.Context, src blob.Store, srcPrefix string, dst blob.Store, dstPrefix string, parallel int) (Metadata, error) {
	m, err := ReadMetadata(ctx, src, srcPrefix)
	if err != nil {
		return Metadata{}, err
	}
	out := m
	out.Kind = KindSavepoint
	out.Incremental = false
	out.Seq = 0
	out.CopiedFrom = src.Location(JoinKey(srcPrefix, MetadataFile))
	if out.SavepointFormat == "" {
		// A checkpoint is laid out in the state backend's own format.
		out.SavepointFormat = api.FormatNative
	}
	out.Files = make([]StateFile, len(m.Files))
	names := make(map[string]bool, len(m.Files))
	for i, f := range m.Files {
		g := f
		g.Shared = false
		if f.Shared {
			g.Key = JoinKey(SharedDir, path.Base(f.Key))
		}
		for n := 1; names[g.Key]; n++ {
			g.Key = JoinKey(SharedDir, strconv.Itoa(n)+"-"+path.Base(f.Key))
		}
		names[g.Key] = true
		out.Files[i] = g
	}

	err = ForEachParallel(ctx, len(m.Files), parallel, func(ctx context.Context, i int) error {
		from, to := ResolveKey(srcPrefix, m.Files[i]), JoinKey(dstPrefix, out.Files[i].Key)
		info, err := blob.Copy(ctx, src, from, dst, to)
		if err != nil {
			return fmt.Errorf("%w: copy state file %s to %s: %w", ErrCorruptState, src.Location(from), dst.Location(to), err)
		}
		if info.Size != m.Files[i].Size || info.SHA256 != m.Files[i].SHA256 {
			return fmt.Errorf("%w: state file %s copied as %d bytes with sha256 %s; the source metadata says %d bytes with sha256 %s",
				ErrCorruptState, src.Location(from), info.Size, info.SHA256, m.Files[i].Size, m.Files[i].SHA256)
		}
		if blob.LinkedUnchanged(src, from, dst, to) {
			return nil
		}
		return verifyFile(ctx, dst, to, out.Files[i])
	})
	if err == nil {
		_, err = WriteMetadata(ctx, dst, dstPrefix, out)
	}
	if err != nil {
		return Metadata{}, err
	}
	return out, nil
}
