package flinktest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// TestJarEntryClass is the main class of the test job (also in its manifest).
const TestJarEntryClass = "io.streamstate.flinktest.CountingJob"

// TestJar builds the test job (flink/testjob) against a Flink version once and returns the jar's
// path; later calls reuse the built jar. The job prints "testjob key=K count=C seq=S" per record on
// the TaskManager's stdout; arguments: --rate, --count, --checkpoint-interval, --uid-suffix.
func TestJar(ctx context.Context, version string) (string, error) {
	version, err := resolveVersion(version)
	if err != nil {
		return "", err
	}
	dir, err := CacheDir(version)
	if err != nil {
		return "", err
	}
	buildDir := filepath.Join(dir, "testjob")
	jar := filepath.Join(buildDir, "flink-testjob.jar")
	marker := filepath.Join(buildDir, completeMarker)
	unlock, err := lockDir(dir)
	if err != nil {
		return "", err
	}
	defer unlock()
	pomDir, err := repoFlinkDir()
	if err != nil {
		return "", err
	}
	sources, err := filepath.Glob(filepath.Join(pomDir, "testjob", "src", "main", "java", "*", "*", "*", "*.java"))
	if err != nil || len(sources) == 0 {
		return "", fmt.Errorf("flinktest: no test job sources under %s/testjob: %v", pomDir, err)
	}
	stamp, err := contentStamp(version, append([]string{filepath.Join(pomDir, "testjob", "pom.xml")}, sources...)...)
	if err != nil {
		return "", err
	}
	if done, _ := os.ReadFile(marker); string(done) == stamp {
		return jar, nil // built before from the same sources
	}
	if err := os.RemoveAll(buildDir); err != nil {
		return "", fmt.Errorf("flinktest: clearing %s: %w", buildDir, err)
	}
	pom := filepath.Join(pomDir, "testjob", "pom.xml")
	if err := runMaven(ctx, pomDir, "-f", pom, "package", "-Dflink.version="+version, "-Dtestjob.build.dir="+buildDir); err != nil {
		return "", err
	}
	if _, err := os.Stat(jar); err != nil {
		return "", fmt.Errorf("flinktest: Maven built no %s: %w", jar, err)
	}
	if err := os.WriteFile(marker, []byte(stamp), 0o644); err != nil {
		return "", err
	}
	return jar, nil
}
