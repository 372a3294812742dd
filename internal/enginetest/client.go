package enginetest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
)

// Client is a thin JSON-over-HTTP client for engine tests: it shows the wire as it is (status codes,
// problem bodies), which the typed client in internal/client hides on purpose.
type Client struct {
	env            *Env
	base           string
	Token          string
	IdempotencyKey string
}

func (c *Client) url() string {
	if c.env != nil {
		return c.env.URL // follows the engine across restarts
	}
	return c.base
}

// WithKey returns a copy of the client that sends an Idempotency-Key.
func (c *Client) WithKey(key string) *Client {
	cp := *c
	cp.IdempotencyKey = key
	return &cp
}

// Do sends a request and decodes a 2xx body into out (if non-nil). It returns the status and, for
// statuses >= 400, the decoded problem. It fails the test on a transport error, so call it only from the
// test's goroutine; other goroutines use Try.
func (c *Client) Do(t testing.TB, method, path string, body, out any) (int, api.Problem) {
	t.Helper()
	status, prob, err := c.Try(method, path, body, out)
	if err != nil {
		t.Fatal(err)
	}
	return status, prob
}

// Try is Do without a testing.TB: it returns what went wrong instead of failing the test, so it is safe
// from any goroutine.
func (c *Client) Try(method, path string, body, out any) (int, api.Problem, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, api.Problem{}, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.url()+"/api/v1"+path, rd)
	if err != nil {
		return 0, api.Problem{}, err
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	if c.IdempotencyKey != "" {
		req.Header.Set(api.HeaderIdempotencyKey, c.IdempotencyKey)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, api.Problem{}, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, api.Problem{}, fmt.Errorf("%s %s: read body: %w", method, path, err)
	}
	var prob api.Problem
	if resp.StatusCode >= 400 {
		if err := json.Unmarshal(raw, &prob); err != nil {
			return resp.StatusCode, prob, fmt.Errorf("%s %s: status %d with a body that is not a problem: %s", method, path, resp.StatusCode, raw)
		}
		return resp.StatusCode, prob, nil
	}
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			return resp.StatusCode, prob, fmt.Errorf("%s %s: decode %T: %v (%s)", method, path, out, err, raw)
		}
	}
	return resp.StatusCode, prob, nil
}

// Must sends a request that must succeed.
func (c *Client) Must(t testing.TB, method, path string, body, out any) {
	t.Helper()
	if status, prob := c.Do(t, method, path, body, out); status >= 400 {
		t.Fatalf("%s %s: %d %s: %s", method, path, status, prob.Code, prob.Detail)
	}
}

// Fails sends a request that must fail with status and code; it returns the problem.
func (c *Client) Fails(t testing.TB, status int, code, method, path string, body any) api.Problem {
	t.Helper()
	got, prob := c.Do(t, method, path, body, nil)
	if got != status || prob.Code != code {
		t.Fatalf("%s %s: got %d %q (%s), want %d %q", method, path, got, prob.Code, prob.Detail, status, code)
	}
	return prob
}

// Workspace creates a managed-storage x86_64 workspace in region "r1" with clone enabled.
func (c *Client) Workspace(t testing.TB, name string) api.Workspace {
	t.Helper()
	var ws api.Workspace
	c.Must(t, "POST", "/workspaces", api.WorkspaceInput{Name: name, Region: "r1", Architecture: api.ArchX86,
		Storage: api.Storage{Type: api.StorageManaged}, CloneEnabled: true}, &ws)
	return ws
}

// Namespace creates a namespace.
func (c *Client) Namespace(t testing.TB, wsID, name string) api.Namespace {
	t.Helper()
	var ns api.Namespace
	c.Must(t, "POST", "/workspaces/"+wsID+"/namespaces", api.NamespaceInput{Name: name}, &ns)
	return ns
}

// Object creates an object of kind with a spec.
func (c *Client) Object(t testing.TB, nsID, kind, name string, spec any) api.Object {
	t.Helper()
	raw, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	var o api.Object
	c.Must(t, "POST", "/namespaces/"+nsID+"/objects/"+kind, api.ObjectInput{Name: name, Spec: raw}, &o)
	return o
}

// SQLDeployment returns a streaming SQL deployment spec with fast checkpoints and small state.
func SQLDeployment(sql string) api.DeploymentSpec {
	return api.DeploymentSpec{Type: api.DeploymentSQL, EngineVersion: "vvr-8.0.9-flink-1.17", SQL: sql,
		Checkpoint:         api.CheckpointSettings{Interval: api.DurationOf(100 * time.Millisecond)},
		FlinkConfiguration: map[string]string{"local.state-bytes": "64kb", "local.records-per-second": "10000"}}
}

// Deployment creates a deployment.
func (c *Client) Deployment(t testing.TB, nsID, name string, spec api.DeploymentSpec) api.Object {
	t.Helper()
	return c.Object(t, nsID, api.KindDeployment, name, spec)
}

// StartRunning starts a deployment and waits until its job is RUNNING.
func (c *Client) StartRunning(t testing.TB, depID string, req api.StartRequest) api.Job {
	t.Helper()
	var job api.Job
	c.Must(t, "POST", "/deployments/"+depID+"/start", req, &job)
	return c.WaitJob(t, depID, api.JobRunning)
}

// WaitJob waits until the deployment's job has status.
func (c *Client) WaitJob(t testing.TB, depID, status string) api.Job {
	t.Helper()
	var job api.Job
	Until(t, 20*time.Second, func() string {
		return fmt.Sprintf("job of %s to be %s (last %q %s)", depID, status, job.Status, job.Failure)
	}, func() bool {
		c.Must(t, "GET", "/deployments/"+depID+"/job", nil, &job)
		return job.Status == status
	})
	return job
}

// WaitCheckpoints waits until the deployment has at least n completed checkpoints recorded.
func (c *Client) WaitCheckpoints(t testing.TB, depID string, n int) []api.Checkpoint {
	t.Helper()
	var page api.Page[api.Checkpoint]
	var done []api.Checkpoint
	Until(t, 20*time.Second, func() string {
		return fmt.Sprintf("%d completed checkpoints of %s (have %d of %d recorded)", n, depID, len(done), len(page.Items))
	}, func() bool {
		c.Must(t, "GET", "/deployments/"+depID+"/checkpoints", nil, &page)
		done = done[:0]
		for _, cp := range page.Items {
			if cp.Status == api.CheckpointCompleted {
				done = append(done, cp)
			}
		}
		return len(done) >= n
	})
	return done
}

// Snapshot creates a snapshot of a running deployment and waits until it is COMPLETED.
func (c *Client) Snapshot(t testing.TB, depID string, req api.SnapshotRequest) api.Snapshot {
	t.Helper()
	var s api.Snapshot
	c.Must(t, "POST", "/deployments/"+depID+"/snapshots", req, &s)
	return c.WaitSnapshot(t, s.ID, api.SnapshotCompleted)
}

// WaitSnapshot waits until a snapshot has status.
func (c *Client) WaitSnapshot(t testing.TB, id, status string) api.Snapshot {
	t.Helper()
	var s api.Snapshot
	Until(t, 20*time.Second, func() string {
		return fmt.Sprintf("snapshot %s to be %s (last %q %s)", id, status, s.Status, s.Failure)
	}, func() bool {
		c.Must(t, "GET", "/snapshots/"+id, nil, &s)
		return s.Status == status
	})
	return s
}

// StopSnapshotBeforeEnd returns the snapshot of the stop with savepoint that ended job, a deployment's
// job read CANCELLED, failing unless there is one, COMPLETED, and the job's end was recorded after it:
// whoever sees the job stopped finds its savepoint.
func (c *Client) StopSnapshotBeforeEnd(t testing.TB, depID string, job api.Job) api.Snapshot {
	t.Helper()
	var snaps api.Page[api.Snapshot]
	c.Must(t, "GET", "/snapshots?deployment_id="+depID+"&origin="+api.OriginStopWithSavepoint, nil, &snaps)
	if len(snaps.Items) != 1 {
		t.Fatalf("stop snapshots after the stop: %+v, want the stop's", snaps.Items)
	}
	snap := snaps.Items[0]
	if snap.Status != api.SnapshotCompleted {
		t.Fatalf("the job reads %s while the stop's snapshot %s is %s", job.Status, snap.ID, snap.Status)
	}
	if job.EndedAt == nil || job.EndedAt.Before(*snap.CompletedAt) {
		t.Fatalf("the job ended at %v, before its stop's snapshot completed at %v", job.EndedAt, snap.CompletedAt)
	}
	return snap
}

// NewToken issues a token for user (the client must be the admin's).
func (c *Client) NewToken(t testing.TB, user string) string {
	t.Helper()
	var tok api.Token
	c.Must(t, "POST", "/tokens", api.TokenRequest{User: user}, &tok)
	return tok.Secret
}

// Member gives user a role on a namespace.
func (c *Client) Member(t testing.TB, nsID, user, role string) {
	t.Helper()
	c.Must(t, "PUT", "/namespaces/"+nsID+"/members/"+user, api.MemberInput{Role: role}, nil)
}
