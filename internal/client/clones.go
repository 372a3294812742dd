package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/streamstate/terraform-provider-flink/internal/api"
)

// CreateClone starts a namespace clone; it comes back PENDING (see WaitForClone). With a LockTimeout,
// a create refused because another clone holds either namespace (clone_running: a namespace is in one
// clone at a time) waits for that clone to end, as a locked change does.
func (c *Client) CreateClone(ctx context.Context, in api.CloneRequest) (api.Clone, error) {
	var out api.Clone
	_, err := c.do(ctx, call{method: http.MethodPost, path: "/api/v1/clones", in: in, out: &out, heldByAClone: IsHeldByAClone})
	return out, err
}

// IsHeldByAClone reports a refusal because a running clone holds the namespace: a change refused as
// locked, or a clone refused because a namespace is in another clone already.
func IsHeldByAClone(err error) bool { return IsLocked(err) || HasCode(err, api.CodeCloneRunning) }

// Clone directions of ListClones.
const (
	DirectionTarget = "target"
	DirectionSource = "source"
	DirectionAny    = "any"
)

// CloneFilter narrows ListClones; empty fields match everything.
type CloneFilter struct {
	NamespaceID string
	Direction   string // DirectionTarget, DirectionSource or DirectionAny
}

// ListClones lists clone tasks (the history) matching f.
func (c *Client) ListClones(ctx context.Context, f CloneFilter) ([]api.Clone, error) {
	q := url.Values{}
	setIf(q, "namespace_id", f.NamespaceID)
	setIf(q, "direction", f.Direction)
	return listAll[api.Clone](ctx, c, "/api/v1/clones", q)
}

// GetClone reads a clone task.
func (c *Client) GetClone(ctx context.Context, id string) (api.Clone, error) {
	return get[api.Clone](ctx, c, p("/api/v1/clones/%s", id), nil)
}

// DeleteClone deletes a clone task. With deleteCreated the engine also deletes what the clone created and
// returns the clone with Deleted filled in; otherwise what it created stays and the result is nil.
func (c *Client) DeleteClone(ctx context.Context, id string, deleteCreated bool) (*api.Clone, error) {
	var q url.Values
	if deleteCreated {
		q = url.Values{"delete_created": {"true"}}
	}
	var out api.Clone
	status, err := c.do(ctx, call{method: http.MethodDelete, path: p("/api/v1/clones/%s", id), query: q, out: &out})
	if err != nil || status == http.StatusNoContent {
		return nil, err
	}
	return &out, nil
}

// CancelClone stops a running clone; what it already created stays.
func (c *Client) CancelClone(ctx context.Context, id string) (api.Clone, error) {
	return post[api.Clone](ctx, c, p("/api/v1/clones/%s/cancel", id), nil)
}

// ListCloneRenames lists the names a clone took in its target.
func (c *Client) ListCloneRenames(ctx context.Context, id string) ([]api.Rename, error) {
	return listAll[api.Rename](ctx, c, p("/api/v1/clones/%s/renames", id), nil)
}

// ListCloneItems lists the per-object outcomes of a clone.
func (c *Client) ListCloneItems(ctx context.Context, id string) ([]api.CloneItem, error) {
	return listAll[api.CloneItem](ctx, c, p("/api/v1/clones/%s/items", id), nil)
}
