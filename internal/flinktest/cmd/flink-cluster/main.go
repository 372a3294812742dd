// Command flink-cluster starts a real Flink session cluster on loopback (internal/flinktest) for
// `make demo-flink` and manual testing. Once the cluster is ready it prints KEY=VALUE lines
// (FLINK_REST_URL, FLINK_SQL_GATEWAY_URL, FLINK_VERSION, FLINK_CLUSTER_DIR, FLINK_TASKMANAGER_STDOUT)
// on stdout, writes them to DIR/ready and its pid to DIR/pid, and stops the cluster on
// SIGTERM/SIGINT.
//
//	go run ./internal/flinktest/cmd/flink-cluster --dir .demo/flink [--version 2.3.0]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/flinktest"
)

func main() {
	dir := flag.String("dir", "", "cluster directory (config, logs); default: a temp dir removed on exit")
	version := flag.String("version", "", "Flink version ("+strings.Join(flinktest.SupportedVersions, ", ")+"); default $FLINK_VERSION, else "+flinktest.DefaultVersion)
	timeout := flag.Duration("timeout", 10*time.Minute, "how long to wait for the cluster, a first jar download included")
	fetchOnly := flag.Bool("fetch-only", false, "only fetch the jars and build the test job of --version (all supported versions when empty), then exit")
	flag.Parse()
	if *fetchOnly {
		if err := fetch(*version, *timeout); err != nil {
			fmt.Fprintln(os.Stderr, "flink-cluster:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(*dir, *version, *timeout); err != nil {
		fmt.Fprintln(os.Stderr, "flink-cluster:", err)
		os.Exit(1)
	}
}

// fetch fills the cache (jars and test job) for one version or all, so tests start without Maven.
func fetch(version string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	versions := flinktest.SupportedVersions
	if version != "" {
		versions = []string{version}
	}
	for _, v := range versions {
		started := time.Now()
		jars, err := flinktest.FetchJars(ctx, v)
		if err != nil {
			return err
		}
		jar, err := flinktest.TestJar(ctx, v)
		if err != nil {
			return err
		}
		fmt.Printf("Flink %s: jars in %s, test job %s (%s)\n", jars.Version, jars.LibDir, jar, time.Since(started).Round(time.Second))
	}
	return nil
}

func run(dir, version string, timeout time.Duration) error {
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	started := make(chan struct{})
	go func() {
		select {
		case sig := <-signals: // interrupted while starting: Start kills what it started
			cancel()
			signals <- sig // and run returns once Start has
		case <-started:
		}
	}()
	if dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	c, err := flinktest.Start(ctx, flinktest.Options{Version: version, Dir: dir})
	close(started)
	if err != nil {
		return err
	}
	defer c.Stop()
	lines := fmt.Sprintf("FLINK_REST_URL=%s\nFLINK_SQL_GATEWAY_URL=%s\nFLINK_VERSION=%s\nFLINK_CLUSTER_DIR=%s\nFLINK_TASKMANAGER_STDOUT=%s\n",
		c.RESTURL, c.SQLGatewayURL, c.Version, c.Dir, filepath.Join(c.Dir, "log", "taskmanager-1.out"))
	if err := os.WriteFile(filepath.Join(c.Dir, "pid"), []byte(fmt.Sprintln(os.Getpid())), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(c.Dir, "ready"), []byte(lines), 0o644); err != nil {
		return err
	}
	fmt.Print(lines)
	<-signals
	fmt.Fprintln(os.Stderr, "flink-cluster: stopping")
	return nil
}
