package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/streamstate/terraform-provider-flink/internal/api"
)

// StartDeployment starts a stopped deployment; the Job comes back STARTING (see WaitForJobStatus).
func (c *Client) StartDeployment(ctx context.Context, deploymentID string, in api.StartRequest) (api.Job, error) {
	return create[api.Job](ctx, c, p("/api/v1/deployments/%s/start", deploymentID), in)
}

// StopDeployment stops a running deployment; the Job comes back CANCELLING.
func (c *Client) StopDeployment(ctx context.Context, deploymentID string, in api.StopRequest) (api.Job, error) {
	return create[api.Job](ctx, c, p("/api/v1/deployments/%s/stop", deploymentID), in)
}

// GetJob reads the latest job of a deployment; not_found when it never ran.
func (c *Client) GetJob(ctx context.Context, deploymentID string) (api.Job, error) {
	return get[api.Job](ctx, c, p("/api/v1/deployments/%s/job", deploymentID), nil)
}

// ListCheckpoints lists a deployment's system checkpoints.
func (c *Client) ListCheckpoints(ctx context.Context, deploymentID string) ([]api.Checkpoint, error) {
	return listAll[api.Checkpoint](ctx, c, p("/api/v1/deployments/%s/checkpoints", deploymentID), nil)
}

// GetStateOverview reads a deployment's state-set overview.
func (c *Client) GetStateOverview(ctx context.Context, deploymentID string) (api.StateOverview, error) {
	return get[api.StateOverview](ctx, c, p("/api/v1/deployments/%s/overview", deploymentID), nil)
}

// CreateSnapshot asks for a snapshot of a RUNNING job; it comes back STARTED (see WaitForSnapshot).
func (c *Client) CreateSnapshot(ctx context.Context, deploymentID string, in api.SnapshotRequest) (api.Snapshot, error) {
	return create[api.Snapshot](ctx, c, p("/api/v1/deployments/%s/snapshots", deploymentID), in)
}

// GetSnapshotPolicy reads a deployment's schedule and cleanup rule; not_found when none.
func (c *Client) GetSnapshotPolicy(ctx context.Context, deploymentID string) (api.SnapshotPolicy, error) {
	return get[api.SnapshotPolicy](ctx, c, p("/api/v1/deployments/%s/snapshot-policy", deploymentID), nil)
}

// PutSnapshotPolicy sets a deployment's schedule and cleanup rule.
func (c *Client) PutSnapshotPolicy(ctx context.Context, deploymentID string, in api.SnapshotPolicy) (api.SnapshotPolicy, error) {
	return put[api.SnapshotPolicy](ctx, c, p("/api/v1/deployments/%s/snapshot-policy", deploymentID), in)
}

// DeleteSnapshotPolicy removes a deployment's schedule and cleanup rule.
func (c *Client) DeleteSnapshotPolicy(ctx context.Context, deploymentID string) error {
	return c.del(ctx, p("/api/v1/deployments/%s/snapshot-policy", deploymentID), nil)
}

// SnapshotFilter narrows ListSnapshots; empty fields match everything.
type SnapshotFilter struct {
	DeploymentID, JobID, Origin, Status string
}

// ListSnapshots lists snapshots matching f.
func (c *Client) ListSnapshots(ctx context.Context, f SnapshotFilter) ([]api.Snapshot, error) {
	q := url.Values{}
	setIf(q, "deployment_id", f.DeploymentID)
	setIf(q, "job_id", f.JobID)
	setIf(q, "origin", f.Origin)
	setIf(q, "status", f.Status)
	return listAll[api.Snapshot](ctx, c, "/api/v1/snapshots", q)
}

// GetSnapshot reads a snapshot.
func (c *Client) GetSnapshot(ctx context.Context, id string) (api.Snapshot, error) {
	return get[api.Snapshot](ctx, c, p("/api/v1/snapshots/%s", id), nil)
}

// DeleteSnapshot deletes a snapshot. It returns the snapshot (DELETING) when the engine accepted the
// deletion but has not finished it (202; see WaitForSnapshotDeleted), and nil once it is gone (204).
func (c *Client) DeleteSnapshot(ctx context.Context, id string) (*api.Snapshot, error) {
	var s api.Snapshot
	status, err := c.do(ctx, call{method: http.MethodDelete, path: p("/api/v1/snapshots/%s", id), out: &s})
	if err != nil || status == http.StatusNoContent {
		return nil, err
	}
	return &s, nil
}

// ValidateCron returns the next fire times of a schedule, with warnings (the 10-minute floor).
func (c *Client) ValidateCron(ctx context.Context, in api.CronRequest) (api.CronResponse, error) {
	// A question, not a change: no Idempotency-Key, so the engine stores no replay record for it.
	var out api.CronResponse
	_, err := c.do(ctx, call{method: http.MethodPost, path: "/api/v1/cron/validate", in: in, out: &out, readOnly: true})
	return out, err
}

func setIf(q url.Values, key, value string) {
	if value != "" {
		q.Set(key, value)
	}
}
