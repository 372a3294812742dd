package flinktest_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/blob/blobtest"
	"github.com/streamstate/terraform-provider-flink/internal/flinktest"
)

// TestS3CheckpointsAndSavepoints starts a second cluster whose S3 plugin points at versitygw and
// runs the test jar with checkpoints and a savepoint on s3:// paths, then restores from S3.
func TestS3CheckpointsAndSavepoints(t *testing.T) {
	srv := blobtest.StartS3(t)
	srv.Bucket(t, "flink-state")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	started := time.Now()
	c, err := flinktest.Start(ctx, flinktest.Options{S3: &flinktest.S3Options{
		Endpoint: srv.Endpoint, AccessKey: srv.AccessKey, SecretKey: srv.SecretKey, PathStyle: true}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	t.Logf("S3 cluster ready in %s", time.Since(started).Round(100*time.Millisecond))
	// The REST helpers talk to the package's cluster; point them at this one while the test runs
	// (the package's tests are not parallel).
	shared := cluster
	cluster = c
	defer func() { cluster = shared }()

	jar, err := flinktest.TestJar(ctx, c.Version)
	if err != nil {
		t.Fatal(err)
	}
	jarID := uploadJar(t, jar)
	args := []string{"--rate", "40", "--checkpoint-interval", "500"}
	conf := map[string]string{"execution.checkpointing.dir": "s3://flink-state/checkpoints"}
	first, err := runJar(jarID, map[string]any{"entryClass": flinktest.TestJarEntryClass, "programArgsList": args, "flinkConfiguration": conf})
	if err != nil {
		t.Fatal(err)
	}
	waitJobState(t, first, "RUNNING", time.Minute)
	eventually(t, time.Minute, "a checkpoint on S3", func() error {
		var cps struct {
			Latest struct {
				Completed *struct {
					ExternalPath string `json:"external_path"`
				} `json:"completed"`
			} `json:"latest"`
		}
		call(t, http.MethodGet, c.RESTURL+"/jobs/"+first+"/checkpoints", nil, &cps)
		if cps.Latest.Completed == nil || !strings.HasPrefix(cps.Latest.Completed.ExternalPath, "s3://flink-state/checkpoints/"+first+"/chk-") {
			return fmt.Errorf("latest completed checkpoint %+v", cps.Latest.Completed)
		}
		key := strings.TrimPrefix(cps.Latest.Completed.ExternalPath, "s3://flink-state/") + "/_metadata"
		if _, err := os.Stat(srv.ObjectPath("flink-state", key)); err != nil {
			return err
		}
		return nil
	})
	_, offset := stdoutSince(t, 0)
	waitLines(t, offset, 10)

	location := savepoint(t, first, "s3://flink-state/savepoints", true)
	if !strings.HasPrefix(location, "s3://flink-state/savepoints/savepoint-") {
		t.Fatalf("savepoint location %q, want under s3://flink-state/savepoints/", location)
	}
	if _, err := os.Stat(srv.ObjectPath("flink-state", strings.TrimPrefix(location, "s3://flink-state/")+"/_metadata")); err != nil {
		t.Fatalf("savepoint %s has no _metadata object: %v", location, err)
	}
	waitJobState(t, first, "FINISHED", time.Minute)
	out, offset := stdoutSince(t, offset)
	run1 := testjobLines(out)

	second, err := runJar(jarID, map[string]any{"entryClass": flinktest.TestJarEntryClass, "programArgsList": args,
		"flinkConfiguration": conf, "savepointPath": location})
	if err != nil {
		t.Fatal(err)
	}
	defer call(t, http.MethodPatch, c.RESTURL+"/jobs/"+second+"?mode=cancel", nil, nil)
	run2 := waitLines(t, offset, 4)
	checkCounts(t, run2)
	if last := run1[len(run1)-1].seq; run2[0].seq != last+1 {
		t.Fatalf("restored from S3 the job starts at seq %d, want %d", run2[0].seq, last+1)
	}
}
