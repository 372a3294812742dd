package flink

import (
	"context"
	"io"
	"os"
	"testing"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/flinktest"
)

// testCluster is the shared Flink session cluster of this package's tests, with what the tests need of it.
type testCluster struct {
	*flinktest.Cluster
	restURL, gatewayURL string
	majorMinor          string
	jarPath             string
	jarEntryClass       string
}

var cluster testCluster

func TestMain(m *testing.M) {
	flinktest.Main(m, flinktest.Options{}, func(c *flinktest.Cluster) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		jar, err := flinktest.TestJar(ctx, c.Version)
		if err != nil {
			c.Stop()
			panic("building the test jar: " + err.Error())
		}
		mm, _ := majorMinor(c.Version)
		cluster = testCluster{Cluster: c, restURL: c.RESTURL, gatewayURL: c.SQLGatewayURL, majorMinor: mm,
			jarPath: jar, jarEntryClass: flinktest.TestJarEntryClass}
	})
}

// openJar opens the test job's jar, as the engine's JarProgram.Open does for a file resource.
func (c testCluster) openJar(context.Context) (io.ReadCloser, error) { return os.Open(c.jarPath) }

// stdout is everything the TaskManagers printed so far.
func (c testCluster) stdout(t testing.TB) string {
	t.Helper()
	out, err := c.TaskManagerStdout()
	if err != nil {
		t.Fatal(err)
	}
	return out
}
