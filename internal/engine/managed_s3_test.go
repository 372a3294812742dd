package engine_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/blob/blobtest"
	"github.com/streamstate/terraform-provider-flink/internal/enginetest"
)

// The engine binary with --managed-storage s3://: managed namespaces keep every checkpoint, snapshot
// and clone copy in the bucket (nothing under the data directory), and a restarted engine starts a
// job from state it reads back from the bucket.
func TestEngineWithManagedStorageOnS3(t *testing.T) {
	enginetest.SkipIfShort(t, "builds and runs the engine binary")
	s3srv := blobtest.StartS3(t)
	cfg := s3srv.Bucket(t, "managed")
	cfg.Prefix = "engine"
	dataDir := t.TempDir()
	opts := enginetest.ProcessOptions{
		Args: []string{"--managed-storage", fmt.Sprintf("s3://managed/engine?endpoint=%s&region=%s&path_style=true", cfg.Endpoint, cfg.Region)},
		Env:  []string{"AWS_ACCESS_KEY_ID=" + cfg.AccessKeyID, "AWS_SECRET_ACCESS_KEY=" + cfg.SecretAccessKey},
	}
	proc := enginetest.StartProcessWith(t, dataDir, opts)
	a := proc.Client(enginetest.AdminToken)
	ws := a.Workspace(t, "ws")
	src, dst := a.Namespace(t, ws.ID, "src"), a.Namespace(t, ws.ID, "dst")
	dep := statefulDeployment(t, a, src.ID, "orders", "vvr-8.0.9-flink-1.17", "256kb")

	snaps := listSnapshots(t, a, "deployment_id="+dep.ID+"&status=COMPLETED").Items
	if len(snaps) == 0 || !strings.HasPrefix(snaps[0].Location, "s3://managed/engine/namespaces/"+src.ID+"/") {
		t.Fatalf("the snapshot is not in the managed bucket: %+v", snaps)
	}
	if keys := keysUnder(t, cfg, "namespaces/"+src.ID+"/"); len(keys) == 0 {
		t.Fatal("no state objects under the source namespace in the bucket")
	}

	req := api.CloneRequest{SourceNamespaceID: src.ID, TargetNamespaceID: dst.ID, Objects: []string{api.KindDeployment}, StatePolicy: api.StateStateful}
	c := runClone(t, a, req)
	if c.Status != api.CloneSucceeded {
		t.Fatalf("clone = %s (%s)", c.Status, c.Failure)
	}
	it := cloneItems(t, a, c.ID)[0]
	copied := verifyCopied(t, a, blobtest.NewS3Store(t, cfg), it, dst.ID)
	if n := countFiles(t, filepath.Join(dataDir, "storage")); n != 0 {
		t.Fatalf("%d state files were written under the data directory although managed storage is S3", n)
	}

	if err := proc.Stop(); err != nil {
		t.Fatalf("graceful stop: %v\n%s", err, proc.Log())
	}
	proc = enginetest.StartProcessWith(t, dataDir, opts)
	a = proc.Client(enginetest.AdminToken)
	job := a.StartRunning(t, it.TargetID, api.StartRequest{})
	if job.RestoredFrom != copied.ID {
		t.Fatalf("after a restart the cloned job starts from %q, want the copy in the bucket %s", job.RestoredFrom, copied.ID)
	}
	a.WaitCheckpoints(t, it.TargetID, 1)
	a.Must(t, "POST", "/deployments/"+it.TargetID+"/stop", api.StopRequest{}, nil)
}
