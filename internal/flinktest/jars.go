package flinktest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
)

// completeMarker is written last into a version's cache directory: a directory without it is a
// fetch that died half-way and is redone.
const completeMarker = ".complete"

// CacheDir is where the jars and the test job of one Flink version are kept between runs:
// $XDG_CACHE_HOME/flink-engine-test/flink-V (else ~/.cache/...). Maven's ~/.m2 caches downloads.
func CacheDir(version string) (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("flinktest: no cache directory (set XDG_CACHE_HOME or HOME): %w", err)
	}
	return filepath.Join(base, "flink-engine-test", "flink-"+version), nil
}

// repoFlinkDir finds the repository's flink/ directory (the POMs): FLINKTEST_POM_DIR when set,
// else next to this source file, which is where `go test` and `go run` compile it from.
func repoFlinkDir() (string, error) {
	if d := os.Getenv("FLINKTEST_POM_DIR"); d != "" {
		return d, nil
	}
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", errors.New("flinktest: cannot locate the flink/ POM directory; set FLINKTEST_POM_DIR")
	}
	dir := filepath.Join(filepath.Dir(file), "..", "..", "flink")
	if _, err := os.Stat(filepath.Join(dir, "pom.xml")); err != nil {
		return "", fmt.Errorf("flinktest: flink/pom.xml not found at %s; set FLINKTEST_POM_DIR: %w", dir, err)
	}
	return filepath.Clean(dir), nil
}

// Jars is a fetched Flink distribution: the classpath jars and the plugins directory.
type Jars struct {
	Version    string
	LibDir     string
	PluginsDir string
}

// Classpath joins every jar of LibDir, sorted, for java -cp.
func (j Jars) Classpath() (string, error) {
	jars, err := filepath.Glob(filepath.Join(j.LibDir, "*.jar"))
	if err != nil || len(jars) == 0 {
		return "", fmt.Errorf("flinktest: no jars in %s (delete it to fetch again): %v", j.LibDir, err)
	}
	return strings.Join(jars, string(os.PathListSeparator)), nil
}

// FetchJars downloads the jars of a Flink version with Maven once and reuses them afterwards.
// Concurrent callers (test packages run in parallel) serialize on a lock file.
func FetchJars(ctx context.Context, version string) (Jars, error) {
	version, err := resolveVersion(version)
	if err != nil {
		return Jars{}, err
	}
	dir, err := CacheDir(version)
	if err != nil {
		return Jars{}, err
	}
	jars := Jars{Version: version, LibDir: filepath.Join(dir, "lib"), PluginsDir: filepath.Join(dir, "plugins")}
	unlock, err := lockDir(dir)
	if err != nil {
		return Jars{}, err
	}
	defer unlock()
	pomDir, err := repoFlinkDir()
	if err != nil {
		return Jars{}, err
	}
	stamp, err := contentStamp(version, filepath.Join(pomDir, "pom.xml"))
	if err != nil {
		return Jars{}, err
	}
	if done, _ := os.ReadFile(filepath.Join(dir, completeMarker)); string(done) == stamp {
		return jars, nil // fetched before from the same POM
	}
	for _, d := range []string{jars.LibDir, jars.PluginsDir} {
		if err := os.RemoveAll(d); err != nil {
			return Jars{}, fmt.Errorf("flinktest: clearing a half-fetched %s: %w", d, err)
		}
	}
	if err := runMaven(ctx, pomDir, "-f", filepath.Join(pomDir, "pom.xml"),
		"dependency:copy-dependencies", "dependency:copy@s3-plugin",
		"-Dflink.version="+version, "-Dflink.s3.version="+s3PluginVersions[version],
		"-DoutputDirectory="+jars.LibDir, "-Dflink.plugins.dir="+jars.PluginsDir); err != nil {
		return Jars{}, err
	}
	if err := os.WriteFile(filepath.Join(dir, completeMarker), []byte(stamp), 0o644); err != nil {
		return Jars{}, fmt.Errorf("flinktest: marking %s complete: %w", dir, err)
	}
	return jars, nil
}

// runMaven runs mvn in batch mode; its output is returned in the error when it fails.
func runMaven(ctx context.Context, dir string, args ...string) error {
	mvn, err := exec.LookPath("mvn")
	if err != nil {
		return errors.New("flinktest: mvn not found on PATH; install Maven 3.8+ (and Java 17) to run Flink tests")
	}
	cmd := exec.CommandContext(ctx, mvn, append([]string{"-q", "-B"}, args...)...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("flinktest: mvn %s: %w\n%s", strings.Join(args, " "), err, tail(out.String(), 4000))
	}
	return nil
}

// lockDir takes an exclusive flock on dir/.lock, creating dir; the returned func releases it.
func lockDir(dir string) (func(), error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("flinktest: creating cache dir %s: %w", dir, err)
	}
	f, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("flinktest: opening lock in %s: %w", dir, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("flinktest: locking %s: %w", dir, err)
	}
	return func() { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, nil
}

// contentStamp identifies what a cache entry was built from: the version and the hash of the
// files (a POM, the test job's sources), so an edited POM or job is fetched or built again.
func contentStamp(version string, files ...string) (string, error) {
	h := sha256.New()
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return "", fmt.Errorf("flinktest: reading %s: %w", f, err)
		}
		fmt.Fprintf(h, "%s %d\n", filepath.Base(f), len(data))
		h.Write(data)
	}
	return fmt.Sprintf("%s %x\n", version, h.Sum(nil)), nil
}

// tail keeps the last n bytes of s, where errors end up.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}
