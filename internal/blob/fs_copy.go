package blob

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// CopyFrom copies an object of another FS without reading it through the engine: a hard link when both
// stores are on one filesystem (objects are immutable, so sharing the inode is safe), else an in-kernel
// copy (io.Copy between files uses copy_file_range on Linux). The source's recorded sha256 was verified
// when it was written, so it is recorded for the copy as is; reads of the copy verify it as usual. A
// source written by someone else (Flink writes its own checkpoint and savepoint files) has no recorded
// sha256; its copy has none either, as cp would make it, rather than being read and hashed whole.
// It returns ErrNotSupported when src is not an *FS.
func (f *FS) CopyFrom(ctx context.Context, src Store, srcKey, dstKey string) (Info, error) {
	from, ok := src.(*FS)
	if !ok {
		return Info{}, ErrNotSupported
	}
	if err := from.checkKey(srcKey); err != nil {
		return Info{}, err
	}
	if err := f.checkKey(dstKey); err != nil {
		return Info{}, err
	}
	if err := ctx.Err(); err != nil {
		return Info{}, err
	}
	srcPath, final := from.path(srcKey), f.path(dstKey)
	srcInfo, err := from.statPath(srcKey, srcPath)
	if err != nil {
		return Info{}, err
	}
	if srcPath == final {
		return srcInfo, nil
	}
	if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
		return Info{}, fmt.Errorf("blob: copy to %s: %w", f.Location(dstKey), err)
	}
	tmp, err := tempName(filepath.Dir(final))
	if err != nil {
		return Info{}, err
	}
	info := Info{Key: dstKey, Size: srcInfo.Size, SHA256: srcInfo.SHA256}
	commit := f.commit
	if err := os.Link(srcPath, tmp); err == nil {
		commit = f.commitLinked(srcPath)
	} else {
		// Cross-device, or a filesystem without hard links.
		if err := copyFileContents(srcPath, tmp); err != nil {
			os.Remove(tmp)
			return Info{}, fmt.Errorf("blob: copy %s to %s: %w", from.Location(srcKey), f.Location(dstKey), err)
		}
	}
	if info.SHA256 == "" {
		commit = f.commitUnhashed
	}
	if err := commit(tmp, final, info); err != nil {
		os.Remove(tmp)
		return Info{}, fmt.Errorf("blob: copy to %s: %w", f.Location(dstKey), err)
	}
	if st, err := os.Stat(final); err == nil {
		info.ModTime = st.ModTime()
	}
	return info, nil
}

// commitLinked returns a commit for a hard-linked object that links the source's sidecar too instead of
// writing and fsyncing a new one: the sidecar, like its object, is never changed in place (a rewrite
// renames a new file over the name), so its linked inode is as durable and as right as the source's.
// The link is read back and compared with the sha256 the copy records; when it differs (the source was
// replaced meanwhile) or cannot be made, the sidecar is written as for any Put.
func (f *FS) commitLinked(srcPath string) func(tmpData, final string, info Info) error {
	return func(tmpData, final string, info Info) error {
		dir := filepath.Dir(final)
		side, err := tempName(dir)
		if err != nil {
			return err
		}
		defer os.Remove(side) // no-op after the rename
		if os.Link(srcPath+sidecarSuffix, side) != nil {
			return f.commit(tmpData, final, info)
		}
		if sha, err := readSidecarFile(side); err != nil || sha != info.SHA256 {
			return f.commit(tmpData, final, info)
		}
		if err := os.Rename(side, final+sidecarSuffix); err != nil {
			return err
		}
		if err := os.Rename(tmpData, final); err != nil {
			return err
		}
		return syncDir(dir)
	}
}

func tempName(dir string) (string, error) {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return filepath.Join(dir, tempPrefix+hex.EncodeToString(b[:])), nil
}

func copyFileContents(srcPath, dstPath string) error {
	in, err := os.Open(srcPath)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %s", ErrNotFound, srcPath)
	}
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dstPath, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}

// LinkedUnchanged is true when dstKey is a hard link of srcKey in another FS (the same inode) with a
// recorded sha256, and the object was not modified after its sidecar was written: Put and CopyFrom
// write the sidecar after the bytes, and linking changes neither file's mtime, so an object whose mtime
// is later than its sidecar's was written in place since its checksum was recorded. (A write within the
// same timestamp tick as the sidecar escapes this; reads still verify every byte against the sidecar.)
func (f *FS) LinkedUnchanged(src Store, srcKey, dstKey string) bool {
	from, ok := src.(*FS)
	if !ok || from.checkKey(srcKey) != nil || f.checkKey(dstKey) != nil {
		return false
	}
	dst := f.path(dstKey)
	a, errA := os.Stat(from.path(srcKey))
	b, errB := os.Stat(dst)
	side, errS := os.Stat(dst + sidecarSuffix)
	return errA == nil && errB == nil && errS == nil && os.SameFile(a, b) && !b.ModTime().After(side.ModTime())
}
