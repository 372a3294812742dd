package engine_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/blob"
	"github.com/streamstate/terraform-provider-flink/internal/blob/blobtest"
	"github.com/streamstate/terraform-provider-flink/internal/enginetest"
	"github.com/streamstate/terraform-provider-flink/internal/runtime"
)

// ossWorkspace creates a workspace whose state lives in a bucket of a real S3-compatible server.
func ossWorkspace(t testing.TB, c *enginetest.Client, name string, cfg blob.S3Config) api.Workspace {
	t.Helper()
	var ws api.Workspace
	c.Must(t, "POST", "/workspaces", api.WorkspaceInput{Name: name, Region: "r1", Architecture: api.ArchX86, CloneEnabled: true,
		Storage: api.Storage{Type: api.StorageOSS, Endpoint: cfg.Endpoint, Region: cfg.Region, Bucket: cfg.Bucket,
			Prefix: cfg.Prefix, PathStyle: cfg.PathStyle, AccessKeyID: cfg.AccessKeyID, SecretAccessKey: cfg.SecretAccessKey}}, &ws)
	if ws.Storage.SecretAccessKey != "" || !ws.Storage.HasSecret {
		t.Fatalf("the workspace response must hide the secret and say one is set: %+v", ws.Storage)
	}
	return ws
}

// keysUnder lists the object keys under a prefix of a bucket, read straight from the server.
func keysUnder(t testing.TB, cfg blob.S3Config, prefix string) []string {
	t.Helper()
	st := blobtest.NewS3Store(t, cfg)
	var keys []string
	if err := st.List(context.Background(), prefix, func(i blob.Info) error { keys = append(keys, i.Key); return nil }); err != nil {
		t.Fatal(err)
	}
	return keys
}

func TestStateOfAnOSSNamespaceLivesInItsBucketAndClonesToAnother(t *testing.T) {
	t.Parallel()
	s3srv := blobtest.StartS3(t)
	srcCfg := s3srv.Bucket(t, "source-state")
	srcCfg.Prefix = "flink/"
	dstCfg := s3srv.Bucket(t, "backup-state")
	env := enginetest.Start(t, enginetest.Options{})
	c := env.Admin()
	src := c.Namespace(t, ossWorkspace(t, c, "src", srcCfg).ID, "prod")
	dst := c.Namespace(t, ossWorkspace(t, c, "dst", dstCfg).ID, "backup")

	spec := enginetest.SQLDeployment("INSERT INTO sink SELECT * FROM src")
	spec.FlinkConfiguration["local.state-bytes"] = "256kb"
	dep := c.Deployment(t, src.ID, "orders", spec)
	c.StartRunning(t, dep.ID, api.StartRequest{})
	cps := c.WaitCheckpoints(t, dep.ID, 1)
	snap := c.Snapshot(t, dep.ID, api.SnapshotRequest{Description: "into the bucket"})

	// Checkpoints and snapshots are objects in the workspace's bucket, under its prefix.
	if !strings.HasPrefix(cps[0].Location, "s3://source-state/flink/") || !strings.HasPrefix(snap.Location, "s3://source-state/flink/") {
		t.Fatalf("state not in the OSS bucket: checkpoint %s, snapshot %s", cps[0].Location, snap.Location)
	}
	if keys := keysUnder(t, srcCfg, "namespaces/"+src.ID+"/snapshots/"+snap.ID+"/"); len(keys) < 2 {
		t.Fatalf("snapshot objects in the bucket: %v", keys)
	}
	srcStore := blobtest.NewS3Store(t, srcCfg)
	if _, err := runtime.VerifyState(context.Background(), srcStore, "namespaces/"+src.ID+"/snapshots/"+snap.ID+"/"); err != nil {
		t.Fatalf("the snapshot in the bucket does not verify: %v", err)
	}

	// A stateful clone copies the state from one bucket to the other and verifies it there.
	clone := runClone(t, c, api.CloneRequest{SourceNamespaceID: src.ID, TargetNamespaceID: dst.ID,
		Objects: []string{api.KindDeployment}, StatePolicy: api.StateStateful, RunningPolicy: api.RunningDoNotSkip})
	if clone.Status != api.CloneSucceeded {
		t.Fatalf("clone ended %s: %s", clone.Status, clone.Failure)
	}
	item := itemNamed(t, cloneItems(t, c, clone.ID), api.KindDeployment, "orders")
	if !item.Stateful || item.SnapshotID == "" {
		t.Fatalf("the deployment was not cloned with state: %+v", item)
	}
	var copied api.Snapshot
	c.Must(t, "GET", "/snapshots/"+item.SnapshotID, nil, &copied)
	if copied.Origin != api.OriginCopied || !strings.HasPrefix(copied.Location, "s3://backup-state/") {
		t.Fatalf("copied snapshot = %+v", copied)
	}
	dstStore := blobtest.NewS3Store(t, dstCfg)
	if _, err := runtime.VerifyState(context.Background(), dstStore, "namespaces/"+dst.ID+"/snapshots/"+copied.ID+"/"); err != nil {
		t.Fatalf("the copied state does not verify in the target bucket: %v", err)
	}

	// The copy restores: its job starts from the copied offset.
	job := c.StartRunning(t, item.TargetID, api.StartRequest{RestoreStrategy: api.RestoreLatestState})
	if job.RestoredFrom != copied.ID || job.StartOffset != copied.Offset {
		t.Fatalf("cloned job started from %q at %d, want %s at %d", job.RestoredFrom, job.StartOffset, copied.ID, copied.Offset)
	}
}

func TestCloneFromOSSToManagedProvesReadAccessFirst(t *testing.T) {
	t.Parallel()
	s3srv := blobtest.StartS3(t)
	cfg := s3srv.Bucket(t, "customer-state")
	cfg.SecretAccessKey = "not-the-secret"
	env := enginetest.Start(t, enginetest.Options{})
	c := env.Admin()
	src := c.Namespace(t, ossWorkspace(t, c, "src", cfg).ID, "prod")
	dst := c.Namespace(t, c.Workspace(t, "managed").ID, "backup")
	c.Object(t, src.ID, api.KindVariable, "v", api.VariableSpec{Value: "1"})

	prob := c.Fails(t, http.StatusForbidden, api.CodeStorageAccessDenied, "POST", "/clones", api.CloneRequest{
		SourceNamespaceID: src.ID, TargetNamespaceID: dst.ID, Objects: []string{api.KindVariable}})
	if !strings.Contains(prob.Detail, "customer-state") || !strings.Contains(prob.Detail, "ListObjects") {
		t.Fatalf("the refusal should name the bucket and the missing action: %s", prob.Detail)
	}
	if strings.Contains(prob.Detail, "not-the-secret") {
		t.Fatal("the refusal leaks the storage secret")
	}
}
