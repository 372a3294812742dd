package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
)

// Names reserved inside an FS root. The sidecar sits next to its object and holds "<sha256> <size>";
// temp files hold a write in progress. Both are hidden from List and refused as keys.
const (
	sidecarSuffix = ".blob-sha256"
	tempPrefix    = ".blob-tmp-"
)

// FS is a Store in a local directory. Every object is a file under root; its sha256 is recorded in a
// sidecar file written before the object appears under its final name.
type FS struct {
	root string
}

var (
	_ Store       = (*FS)(nil)
	_ Copier      = (*FS)(nil)
	_ LinkChecker = (*FS)(nil)
)

// NewFS opens (creating it when missing) the directory root as a store.
func NewFS(root string) (*FS, error) {
	if root == "" {
		return nil, errors.New("blob: filesystem store root is empty; give a directory path")
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("blob: filesystem store root %q: %w", root, err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, fmt.Errorf("blob: cannot create filesystem store root %s: %w (check the path and its permissions)", abs, err)
	}
	return &FS{root: abs}, nil
}

// Root is the absolute directory that holds the store.
func (f *FS) Root() string { return f.root }

func (f *FS) path(key string) string { return filepath.Join(f.root, filepath.FromSlash(key)) }

// checkKey adds the FS's reserved names to the common key rules.
func (f *FS) checkKey(key string) error {
	if err := validateKey(key); err != nil {
		return err
	}
	base := key[strings.LastIndex(key, "/")+1:]
	if strings.HasSuffix(base, sidecarSuffix) || strings.HasPrefix(base, tempPrefix) {
		return fmt.Errorf("blob: key %q uses a name reserved by the filesystem store (names ending in %q or beginning with %q)",
			key, sidecarSuffix, tempPrefix)
	}
	return nil
}

func (f *FS) Location(key string) string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(filepath.Join(f.root, filepath.FromSlash(key)))}).String()
}

func (f *FS) Put(ctx context.Context, key string, r io.Reader) (Info, error) {
	if err := f.checkKey(key); err != nil {
		return Info{}, err
	}
	final := f.path(key)
	if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
		return Info{}, fmt.Errorf("blob: put %s: %w", f.Location(key), err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(final), tempPrefix+"*")
	if err != nil {
		return Info{}, fmt.Errorf("blob: put %s: %w", f.Location(key), err)
	}
	committed := false
	defer func() {
		if !committed {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	hr := newHashingReader(contextReader{ctx: ctx, r: r})
	if _, err := io.Copy(tmp, hr); err != nil {
		return Info{}, fmt.Errorf("blob: put %s: %w", f.Location(key), err)
	}
	if err := tmp.Sync(); err != nil {
		return Info{}, fmt.Errorf("blob: put %s: fsync: %w", f.Location(key), err)
	}
	if err := tmp.Close(); err != nil {
		return Info{}, fmt.Errorf("blob: put %s: %w", f.Location(key), err)
	}
	info := Info{Key: key, Size: hr.size, SHA256: hr.sum()}
	if err := f.commit(tmp.Name(), final, info); err != nil {
		return Info{}, fmt.Errorf("blob: put %s: %w", f.Location(key), err)
	}
	committed = true
	if st, err := os.Stat(final); err == nil {
		info.ModTime = st.ModTime()
	}
	return info, nil
}

// commit makes a finished temp file visible under final. The sidecar goes first: a crash in between
// leaves a sidecar without its object, which nothing lists and the next write replaces.
func (f *FS) commit(tmpData, final string, info Info) error {
	dir := filepath.Dir(final)
	side, err := os.CreateTemp(dir, tempPrefix+"*")
	if err != nil {
		return err
	}
	defer os.Remove(side.Name()) // no-op after the rename
	_, err = fmt.Fprintf(side, "%s %d\n", info.SHA256, info.Size)
	if err == nil {
		err = side.Sync()
	}
	if cerr := side.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write checksum sidecar: %w", err)
	}
	if err := os.Rename(side.Name(), final+sidecarSuffix); err != nil {
		return err
	}
	if err := os.Rename(tmpData, final); err != nil {
		return err
	}
	return syncDir(dir)
}

// commitUnhashed moves a file with no recorded sha256 into place: no sidecar, like the source it came from.
func (f *FS) commitUnhashed(tmpData, final string, _ Info) error {
	_ = os.Remove(final + sidecarSuffix) // a sidecar of an earlier object there would no longer match
	if err := os.Rename(tmpData, final); err != nil {
		return err
	}
	return syncDir(filepath.Dir(final))
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) { // some filesystems cannot fsync a directory
		return fmt.Errorf("fsync directory %s: %w", dir, err)
	}
	return nil
}

// readSidecar returns the recorded sha256 of the object at p, or "" when none was recorded (a file put
// there by something other than this store).
func readSidecar(p string) (string, error) { return readSidecarFile(p + sidecarSuffix) }

// readSidecarFile parses the sidecar file named name ("" when it does not exist).
func readSidecarFile(name string) (string, error) {
	b, err := os.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	fields := strings.Fields(string(b))
	if len(fields) != 2 || len(fields[0]) != 64 {
		return "", fmt.Errorf("checksum sidecar %s is malformed", name)
	}
	if _, err := strconv.ParseInt(fields[1], 10, 64); err != nil {
		return "", fmt.Errorf("checksum sidecar %s is malformed", name)
	}
	return fields[0], nil
}

func (f *FS) statPath(key, p string) (Info, error) {
	st, err := os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && st.IsDir()) {
		return Info{}, fmt.Errorf("%w: %s", ErrNotFound, f.Location(key))
	}
	if err != nil {
		return Info{}, fmt.Errorf("blob: stat %s: %w", f.Location(key), err)
	}
	sha, err := readSidecar(p)
	if err != nil {
		return Info{}, fmt.Errorf("blob: stat %s: %w", f.Location(key), err)
	}
	return Info{Key: key, Size: st.Size(), SHA256: sha, ModTime: st.ModTime()}, nil
}

func (f *FS) Stat(ctx context.Context, key string) (Info, error) {
	if err := f.checkKey(key); err != nil {
		return Info{}, err
	}
	return f.statPath(key, f.path(key))
}

func (f *FS) Get(ctx context.Context, key string) (io.ReadCloser, Info, error) {
	if err := f.checkKey(key); err != nil {
		return nil, Info{}, err
	}
	p := f.path(key)
	file, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, Info{}, fmt.Errorf("%w: %s", ErrNotFound, f.Location(key))
	}
	if err != nil {
		return nil, Info{}, fmt.Errorf("blob: get %s: %w", f.Location(key), err)
	}
	info, err := f.statPath(key, p)
	if err != nil {
		file.Close()
		return nil, Info{}, err
	}
	return newVerifyingReader(file, info.SHA256, f.Location(key)), info, nil
}

func (f *FS) List(ctx context.Context, prefix string, fn func(Info) error) error {
	if err := validatePrefix(prefix); err != nil {
		return err
	}
	dir, name := splitPrefix(prefix)
	return f.walk(ctx, dir, name, fn)
}

// walk visits dirKey (a key prefix ending in "/" or "") in lexical key order: a directory "a" sorts as
// "a/", so "a.txt" comes before "a/b" exactly as the keys compare.
func (f *FS) walk(ctx context.Context, dirKey, namePrefix string, fn func(Info) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	dirPath := f.path(dirKey)
	entries, err := os.ReadDir(dirPath)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("blob: list %s: %w", f.Location(dirKey), err)
	}
	sortKey := func(e os.DirEntry) string {
		if e.IsDir() {
			return e.Name() + "/"
		}
		return e.Name()
	}
	sort.Slice(entries, func(i, j int) bool { return sortKey(entries[i]) < sortKey(entries[j]) })
	for _, e := range entries {
		n := e.Name()
		if !strings.HasPrefix(n, namePrefix) || strings.HasPrefix(n, tempPrefix) || strings.HasSuffix(n, sidecarSuffix) {
			continue
		}
		key := dirKey + n
		if e.IsDir() {
			if err := f.walk(ctx, key+"/", "", fn); err != nil {
				return err
			}
			continue
		}
		info, err := f.statPath(key, filepath.Join(dirPath, n))
		if errors.Is(err, ErrNotFound) {
			continue // deleted while listing
		}
		if err != nil {
			return err
		}
		if err := fn(info); err != nil {
			return err
		}
	}
	return nil
}

func (f *FS) Delete(ctx context.Context, key string) error {
	if err := f.checkKey(key); err != nil {
		return err
	}
	p := f.path(key)
	// The object first: a crash in between leaves only an invisible sidecar.
	for _, name := range []string{p, p + sidecarSuffix} {
		if err := os.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("blob: delete %s: %w", f.Location(key), err)
		}
	}
	return nil
}

// DeletePrefix removes every entry of the prefix's directory whose name starts with the prefix's last
// segment, whole trees included; "a/" removes the directory a.
func (f *FS) DeletePrefix(ctx context.Context, prefix string) error {
	if err := validatePrefix(prefix); err != nil {
		return err
	}
	dir, name := splitPrefix(prefix)
	dirPath := f.path(dir)
	if name == "" && dir != "" {
		if err := os.RemoveAll(dirPath); err != nil {
			return fmt.Errorf("blob: delete prefix %s: %w", f.Location(prefix), err)
		}
		return nil
	}
	entries, err := os.ReadDir(dirPath)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("blob: delete prefix %s: %w", f.Location(prefix), err)
	}
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return err
		}
		if strings.HasPrefix(e.Name(), name) {
			if err := os.RemoveAll(filepath.Join(dirPath, e.Name())); err != nil {
				return fmt.Errorf("blob: delete prefix %s: %w", f.Location(prefix), err)
			}
		}
	}
	return nil
}
