package flink

import (
	"context"
	"io"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/flinktest"
)

// testCluster is the Flink session cluster this package's tests share, with what the tests need of it.
// It starts on first use, so the unit tests of the package run without one.
type testCluster struct {
	*flinktest.Cluster         // nil when the tests use a cluster started outside (FLINK_REST_URL)
	stdoutFile          string // that cluster's TaskManager stdout
	version             string
	restURL, gatewayURL string
	majorMinor          string
	jarPath             string
	jarEntryClass       string
}

var (
	clusterOnce sync.Once
	clusterErr  error
	cluster     *testCluster
)

func TestMain(m *testing.M) {
	code := m.Run()
	if cluster != nil && cluster.Cluster != nil {
		cluster.Stop()
	}
	os.Exit(code)
}

// needCluster starts the cluster cluster (once) and returns it; a cluster that cannot start fails the
// test, it never skips it. FLINK_VERSION chooses the Flink version.
func needCluster(t testing.TB) *testCluster {
	t.Helper()
	clusterOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		if os.Getenv("FLINK_REST_URL") != "" {
			// A cluster from `go run ./internal/flinktest/cmd/flink-cluster` (its KEY=VALUE lines in the
			// environment): iterating on a test without starting Flink each time.
			v := os.Getenv("FLINK_VERSION")
			jar, err := flinktest.TestJar(ctx, v)
			mm, _ := majorMinor(v)
			clusterErr = err
			cluster = &testCluster{restURL: os.Getenv("FLINK_REST_URL"), gatewayURL: os.Getenv("FLINK_SQL_GATEWAY_URL"),
				version: v, majorMinor: mm, stdoutFile: os.Getenv("FLINK_TASKMANAGER_STDOUT"), jarPath: jar, jarEntryClass: flinktest.TestJarEntryClass}
			return
		}
		began := time.Now()
		c, err := flinktest.Start(ctx, flinktest.Options{})
		if err != nil {
			clusterErr = err
			return
		}
		jar, err := flinktest.TestJar(ctx, c.Version)
		if err != nil {
			c.Stop()
			clusterErr = err
			return
		}
		mm, _ := majorMinor(c.Version)
		cluster = &testCluster{Cluster: c, version: c.Version, restURL: c.RESTURL, gatewayURL: c.SQLGatewayURL, majorMinor: mm,
			jarPath: jar, jarEntryClass: flinktest.TestJarEntryClass}
		t.Logf("Flink %s cluster ready in %s (REST %s, SQL Gateway %s)", c.Version, time.Since(began).Round(100*time.Millisecond), c.RESTURL, c.SQLGatewayURL)
	})
	if clusterErr != nil {
		t.Fatalf("starting the Flink cluster: %v", clusterErr)
	}
	return cluster
}

// openJar opens the test job's jar, as the engine's JarProgram.Open does for a file resource.
func (c *testCluster) openJar(context.Context) (io.ReadCloser, error) { return os.Open(c.jarPath) }

// stdout is everything the TaskManagers printed so far.
func (c *testCluster) stdout(t testing.TB) string {
	t.Helper()
	if c.Cluster == nil {
		out, err := os.ReadFile(c.stdoutFile)
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}
	out, err := c.TaskManagerStdout()
	if err != nil {
		t.Fatal(err)
	}
	return out
}
