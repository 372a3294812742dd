package client

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/streamstate/terraform-provider-flink/internal/api"
)

// CreateObject creates an object of a kind (api.Kind*) in a namespace.
func (c *Client) CreateObject(ctx context.Context, namespaceID, kind string, in api.ObjectInput) (api.Object, error) {
	return create[api.Object](ctx, c, p("/api/v1/namespaces/%s/objects/%s", namespaceID, kind), in)
}

// ListObjects lists the objects of a kind in a namespace; a non-empty name filters on it.
func (c *Client) ListObjects(ctx context.Context, namespaceID, kind, name string) ([]api.Object, error) {
	return listAll[api.Object](ctx, c, p("/api/v1/namespaces/%s/objects/%s", namespaceID, kind), nameQuery(name))
}

// GetObject reads an object.
func (c *Client) GetObject(ctx context.Context, id string) (api.Object, error) {
	return get[api.Object](ctx, c, p("/api/v1/objects/%s", id), nil)
}

// UpdateObject replaces an object; in.Version must be the current one (412, IsStale, otherwise). A PUT
// whose answer was lost is retried with the same Idempotency-Key, and the engine answers the retry as it
// answered the first attempt, so a caller's own change never comes back as a 412.
func (c *Client) UpdateObject(ctx context.Context, id string, in api.ObjectInput) (api.Object, error) {
	return put[api.Object](ctx, c, p("/api/v1/objects/%s", id), in)
}

// DeleteObject deletes an object; a deployment's job is stopped and its state deleted.
func (c *Client) DeleteObject(ctx context.Context, id string) error {
	return c.del(ctx, p("/api/v1/objects/%s", id), nil)
}

// ListObjectVersions lists an object's history, newest first.
func (c *Client) ListObjectVersions(ctx context.Context, id string) ([]api.ObjectVersion, error) {
	return listAll[api.ObjectVersion](ctx, c, p("/api/v1/objects/%s/versions", id), nil)
}

// ObjectInputFor marshals a typed spec (api.DeploymentSpec, api.VariableSpec, ...) into an ObjectInput.
func ObjectInputFor(name string, spec any, version int64) (api.ObjectInput, error) {
	raw, err := json.Marshal(spec)
	if err != nil {
		return api.ObjectInput{}, fmt.Errorf("encoding the spec of %q: %w", name, err)
	}
	return api.ObjectInput{Name: name, Spec: raw, Version: version}, nil
}

// DecodeSpec unmarshals an object's spec into its typed form.
func DecodeSpec[T any](o api.Object) (T, error) {
	var spec T
	if len(o.Spec) == 0 {
		return spec, nil
	}
	if err := json.Unmarshal(o.Spec, &spec); err != nil {
		return spec, fmt.Errorf("decoding the spec of %s %s: %w", o.Kind, o.ID, err)
	}
	return spec, nil
}

func (c *Client) createTyped(ctx context.Context, namespaceID, kind, name string, spec any) (api.Object, error) {
	in, err := ObjectInputFor(name, spec, 0)
	if err != nil {
		return api.Object{}, err
	}
	return c.CreateObject(ctx, namespaceID, kind, in)
}

func (c *Client) updateTyped(ctx context.Context, id, name string, spec any, version int64) (api.Object, error) {
	in, err := ObjectInputFor(name, spec, version)
	if err != nil {
		return api.Object{}, err
	}
	return c.UpdateObject(ctx, id, in)
}

// CreateDeployment creates a deployment object.
func (c *Client) CreateDeployment(ctx context.Context, namespaceID, name string, spec api.DeploymentSpec) (api.Object, error) {
	return c.createTyped(ctx, namespaceID, api.KindDeployment, name, spec)
}

// UpdateDeployment replaces a deployment's spec at the given version (0 skips the check).
func (c *Client) UpdateDeployment(ctx context.Context, id, name string, spec api.DeploymentSpec, version int64) (api.Object, error) {
	return c.updateTyped(ctx, id, name, spec, version)
}

// GetDeployment reads a deployment object and decodes its spec.
func (c *Client) GetDeployment(ctx context.Context, id string) (api.Object, api.DeploymentSpec, error) {
	return getTyped[api.DeploymentSpec](ctx, c, id)
}

// CreateVariable creates a variable object. An ENCRYPTED value is never returned afterwards.
func (c *Client) CreateVariable(ctx context.Context, namespaceID, name string, spec api.VariableSpec) (api.Object, error) {
	return c.createTyped(ctx, namespaceID, api.KindVariable, name, spec)
}

// UpdateVariable replaces a variable's spec at the given version (0 skips the check).
func (c *Client) UpdateVariable(ctx context.Context, id, name string, spec api.VariableSpec, version int64) (api.Object, error) {
	return c.updateTyped(ctx, id, name, spec, version)
}

// GetVariable reads a variable object and decodes its spec (Value empty for ENCRYPTED).
func (c *Client) GetVariable(ctx context.Context, id string) (api.Object, api.VariableSpec, error) {
	return getTyped[api.VariableSpec](ctx, c, id)
}

func getTyped[T any](ctx context.Context, c *Client, id string) (api.Object, T, error) {
	var zero T
	o, err := c.GetObject(ctx, id)
	if err != nil {
		return o, zero, err
	}
	spec, err := DecodeSpec[T](o)
	return o, spec, err
}
