package engine_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os/exec"
	"strings"
	"testing"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/blob"
	"github.com/streamstate/terraform-provider-flink/internal/blob/blobtest"
	"github.com/streamstate/terraform-provider-flink/internal/enginetest"
)

func fileInput(name string, size int) api.ObjectInput {
	raw, _ := json.Marshal(api.FileResourceSpec{Content: bytes.Repeat([]byte("x"), size)})
	return api.ObjectInput{Name: name, Spec: raw}
}

// TestStorageThatDeniesAnActionIsNotAnInternalError: a storage 403 is storage_access_denied naming the
// action, for uploads and starts alike; only the admin sees the service's own words (issue 11, item 14).
func TestStorageThatDeniesAnActionIsNotAnInternalError(t *testing.T) {
	t.Parallel()
	s3srv := blobtest.StartS3(t)
	cfg := s3srv.Bucket(t, "denied-state")
	env := enginetest.Start(t, enginetest.Options{})
	admin := env.Admin()
	ws := ossWorkspace(t, admin, "oss", cfg)
	ns := admin.Namespace(t, ws.ID, "ns")
	ed := env.As(admin.NewToken(t, "ed"))
	admin.Member(t, ns.ID, "ed", api.RoleEditor)
	dep := admin.Deployment(t, ns.ID, "job", enginetest.SQLDeployment(srcSQL))
	admin.StartRunning(t, dep.ID, api.StartRequest{})
	snap := admin.Snapshot(t, dep.ID, api.SnapshotRequest{})
	admin.Must(t, "POST", "/deployments/"+dep.ID+"/stop", api.StopRequest{}, nil)
	admin.WaitJob(t, dep.ID, api.JobCancelled)

	// The key stops working (rotated at the provider, say).
	in := api.WorkspaceInput{Name: ws.Name, Region: ws.Region, Architecture: ws.Architecture, CloneEnabled: true,
		Storage: api.Storage{Type: api.StorageOSS, Endpoint: cfg.Endpoint, Region: cfg.Region, Bucket: cfg.Bucket,
			PathStyle: cfg.PathStyle, AccessKeyID: cfg.AccessKeyID, SecretAccessKey: "not-the-secret"}}
	admin.Must(t, "PUT", "/workspaces/"+ws.ID, in, nil)

	prob := ed.Fails(t, http.StatusForbidden, api.CodeStorageAccessDenied, "POST", "/namespaces/"+ns.ID+"/objects/file_resources", fileInput("f", 10))
	if !strings.Contains(prob.Detail, "PutObject") {
		t.Fatalf("the refusal should name the action: %s", prob.Detail)
	}
	for _, secret := range []string{cfg.Endpoint, cfg.Bucket, "SignatureDoesNotMatch", "InvalidAccessKeyId"} {
		if strings.Contains(prob.Detail, secret) {
			t.Fatalf("a non-admin sees the remote detail %q: %s", secret, prob.Detail)
		}
	}
	prob = admin.Fails(t, http.StatusForbidden, api.CodeStorageAccessDenied, "POST", "/namespaces/"+ns.ID+"/objects/file_resources", fileInput("f", 10))
	if !strings.Contains(prob.Detail, "storage said") || len(prob.Detail) > 1000 {
		t.Fatalf("the admin sees the remote detail, trimmed: %s", prob.Detail)
	}

	// A start that must read the snapshot.
	prob = ed.Fails(t, http.StatusForbidden, api.CodeStorageAccessDenied, "POST", "/deployments/"+dep.ID+"/start",
		api.StartRequest{RestoreStrategy: api.RestoreFromSavepoint, SnapshotID: snap.ID})
	if !strings.Contains(prob.Detail, "Object") {
		t.Fatalf("the refusal should name the action: %s", prob.Detail)
	}
	var job api.Job
	ed.Must(t, "GET", "/deployments/"+dep.ID+"/job", nil, &job)
	if job.Status != api.JobFailed || strings.Contains(job.Failure, cfg.Endpoint) {
		t.Fatalf("job after a denied start = %s %q, want FAILED without the endpoint", job.Status, job.Failure)
	}
	// Any other answer of the service (here: no such bucket) is the storage's, not internal, and its
	// words stay with the admin.
	in.Storage.SecretAccessKey, in.Storage.Bucket = cfg.SecretAccessKey, "no-such-bucket"
	admin.Must(t, "PUT", "/workspaces/"+ws.ID, in, nil)
	prob = ed.Fails(t, http.StatusServiceUnavailable, api.CodeStorageUnavailable, "POST", "/namespaces/"+ns.ID+"/objects/file_resources", fileInput("g", 10))
	if strings.Contains(prob.Detail, "no-such-bucket") || strings.Contains(prob.Detail, cfg.Endpoint) || !strings.Contains(prob.Detail, "PutObject") {
		t.Fatalf("a non-admin should get the action and no remote detail: %s", prob.Detail)
	}
}

// TestFullAndReadOnlyStorageHaveTheirOwnCodes mounts a 256 KiB tmpfs as managed storage (needs root):
// a full disk is 507 insufficient_storage, a read-only one 503 storage_read_only (issue 11, item 14).
func TestFullAndReadOnlyStorageHaveTheirOwnCodes(t *testing.T) {
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", dir).CombinedOutput(); err != nil {
		enginetest.SkipOutsideCI(t, "cannot mount a small tmpfs (needs root: run it as root): %v %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("umount", "-l", dir).Run() })
	managed, err := blob.NewFS(dir)
	if err != nil {
		t.Fatal(err)
	}
	env := enginetest.Start(t, enginetest.Options{Managed: managed})
	t.Cleanup(func() { env.Stop(t) }) // before the unmount (cleanups run last-in first-out)
	admin := env.Admin()
	ns := admin.Namespace(t, admin.Workspace(t, "ws").ID, "ns")

	prob := admin.Fails(t, http.StatusInsufficientStorage, api.CodeInsufficientStorage, "POST", "/namespaces/"+ns.ID+"/objects/file_resources", fileInput("big", 600<<10))
	if !strings.Contains(prob.Detail, "full") {
		t.Fatalf("507 should say the storage is full: %s", prob.Detail)
	}
	admin.Object(t, ns.ID, api.KindFileResource, "small", api.FileResourceSpec{Content: []byte("fits")})

	if out, err := exec.Command("mount", "-o", "remount,ro", dir).CombinedOutput(); err != nil {
		enginetest.SkipOutsideCI(t, "cannot remount read-only (needs root): %v %s", err, out)
	}
	prob = admin.Fails(t, http.StatusServiceUnavailable, api.CodeStorageReadOnly, "POST", "/namespaces/"+ns.ID+"/objects/file_resources", fileInput("more", 10))
	if !strings.Contains(prob.Detail, "read-only") {
		t.Fatalf("503 should say the storage is read-only: %s", prob.Detail)
	}
}
