package client

import (
	"context"
	"encoding/json"
	"net/url"

	"github.com/streamstate/terraform-provider-flink/internal/api"
)

// OpenAPI returns the engine's OpenAPI document.
func (c *Client) OpenAPI(ctx context.Context) (json.RawMessage, error) {
	return get[json.RawMessage](ctx, c, "/api/v1/openapi.json", nil)
}

// WhoAmI describes the caller; the provider uses it to check the endpoint and the token.
func (c *Client) WhoAmI(ctx context.Context) (api.WhoAmI, error) {
	return get[api.WhoAmI](ctx, c, "/api/v1/whoami", nil)
}

// CreateToken creates an API token (admin only). The returned Token carries the secret, once.
func (c *Client) CreateToken(ctx context.Context, in api.TokenRequest) (api.Token, error) {
	return create[api.Token](ctx, c, "/api/v1/tokens", in)
}

// ListTokens lists every token (without secrets).
func (c *Client) ListTokens(ctx context.Context) ([]api.Token, error) {
	return listAll[api.Token](ctx, c, "/api/v1/tokens", nil)
}

// GetToken reads a token (without its secret).
func (c *Client) GetToken(ctx context.Context, id string) (api.Token, error) {
	return get[api.Token](ctx, c, p("/api/v1/tokens/%s", id), nil)
}

// DeleteToken revokes a token.
func (c *Client) DeleteToken(ctx context.Context, id string) error {
	return c.del(ctx, p("/api/v1/tokens/%s", id), nil)
}

// CreateWorkspace creates a workspace.
func (c *Client) CreateWorkspace(ctx context.Context, in api.WorkspaceInput) (api.Workspace, error) {
	return create[api.Workspace](ctx, c, "/api/v1/workspaces", in)
}

// ListWorkspaces lists every workspace the caller sees.
func (c *Client) ListWorkspaces(ctx context.Context) ([]api.Workspace, error) {
	return listAll[api.Workspace](ctx, c, "/api/v1/workspaces", nil)
}

// GetWorkspace reads a workspace.
func (c *Client) GetWorkspace(ctx context.Context, id string) (api.Workspace, error) {
	return get[api.Workspace](ctx, c, p("/api/v1/workspaces/%s", id), nil)
}

// UpdateWorkspace replaces a workspace; in.Version guards against a concurrent change (0 skips the check).
func (c *Client) UpdateWorkspace(ctx context.Context, id string, in api.WorkspaceInput) (api.Workspace, error) {
	return put[api.Workspace](ctx, c, p("/api/v1/workspaces/%s", id), in)
}

// DeleteWorkspace deletes a workspace; the engine refuses (409) while it has namespaces.
func (c *Client) DeleteWorkspace(ctx context.Context, id string) error {
	return c.del(ctx, p("/api/v1/workspaces/%s", id), nil)
}

// CreateNamespace creates a namespace in a workspace; the caller becomes its OWNER.
func (c *Client) CreateNamespace(ctx context.Context, workspaceID string, in api.NamespaceInput) (api.Namespace, error) {
	return create[api.Namespace](ctx, c, p("/api/v1/workspaces/%s/namespaces", workspaceID), in)
}

// ListNamespaces lists the namespaces of a workspace; a non-empty name filters on it.
func (c *Client) ListNamespaces(ctx context.Context, workspaceID, name string) ([]api.Namespace, error) {
	return listAll[api.Namespace](ctx, c, p("/api/v1/workspaces/%s/namespaces", workspaceID), nameQuery(name))
}

// FindNamespace returns the namespace called name in a workspace, or a not_found *Error.
func (c *Client) FindNamespace(ctx context.Context, workspaceID, name string) (api.Namespace, error) {
	list, err := c.ListNamespaces(ctx, workspaceID, name)
	if err != nil {
		return api.Namespace{}, err
	}
	for _, ns := range list {
		if ns.Name == name {
			return ns, nil
		}
	}
	return api.Namespace{}, &Error{Status: 404, Code: api.CodeNotFound,
		Message: "no namespace named " + name + " in workspace " + workspaceID}
}

// GetNamespace reads a namespace.
func (c *Client) GetNamespace(ctx context.Context, id string) (api.Namespace, error) {
	return get[api.Namespace](ctx, c, p("/api/v1/namespaces/%s", id), nil)
}

// DeleteNamespace deletes a namespace. Without force the engine refuses one that still holds objects
// (code namespace_not_empty, Error.Counts per kind); with force it stops and deletes everything inside.
func (c *Client) DeleteNamespace(ctx context.Context, id string, force bool) error {
	var q url.Values
	if force {
		q = url.Values{"force": {"true"}}
	}
	return c.del(ctx, p("/api/v1/namespaces/%s", id), q)
}

// NamespaceContents counts the objects of a namespace per kind.
func (c *Client) NamespaceContents(ctx context.Context, id string) (api.NamespaceContents, error) {
	return get[api.NamespaceContents](ctx, c, p("/api/v1/namespaces/%s/contents", id), nil)
}

// ListMembers lists the members of a namespace.
func (c *Client) ListMembers(ctx context.Context, namespaceID string) ([]api.Member, error) {
	return listAll[api.Member](ctx, c, p("/api/v1/namespaces/%s/members", namespaceID), nil)
}

// GetMember reads one member's role.
func (c *Client) GetMember(ctx context.Context, namespaceID, user string) (api.Member, error) {
	return get[api.Member](ctx, c, p("/api/v1/namespaces/%s/members/%s", namespaceID, user), nil)
}

// PutMember sets a user's role on a namespace (Owner only).
func (c *Client) PutMember(ctx context.Context, namespaceID, user string, in api.MemberInput) (api.Member, error) {
	return put[api.Member](ctx, c, p("/api/v1/namespaces/%s/members/%s", namespaceID, user), in)
}

// DeleteMember removes a user from a namespace (Owner only).
func (c *Client) DeleteMember(ctx context.Context, namespaceID, user string) error {
	return c.del(ctx, p("/api/v1/namespaces/%s/members/%s", namespaceID, user), nil)
}

func nameQuery(name string) url.Values {
	if name == "" {
		return nil
	}
	return url.Values{"name": {name}}
}
