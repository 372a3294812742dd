package client

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"os"

	"github.com/streamstate/terraform-provider-flink/internal/api"
)

// UploadFileResource creates the file resource name in a namespace, or replaces its bytes, with the
// content of the local file at path. The file is streamed, never held in memory, and reopened for every
// attempt: a retried upload (after a lost answer, a 503 or a connection error) sends the whole file
// again, and as the PUT names the object, a retry replaces the bytes with the same ones rather than
// making a second object. The call is bounded by ctx, not by the per-request timeout.
//
// The upload records source and sourceHash as the bytes' origin (the engine gives them back on read, so an
// import restores them); sourceHash may be empty.
func (c *Client) UploadFileResource(ctx context.Context, namespaceID, name, path, sourceHash string) (api.Object, error) {
	// A missing or unreadable file is the caller's to fix, not a transport failure to retry.
	f, err := os.Open(path)
	if err != nil {
		return api.Object{}, err
	}
	f.Close()
	var opened *os.File
	defer func() {
		if opened != nil {
			opened.Close()
		}
	}()
	origin := url.Values{"source": {path}}
	if sourceHash != "" {
		origin.Set("source_hash", sourceHash)
	}
	return c.upload(ctx, namespaceID, name, origin, func() (io.Reader, error) {
		if opened != nil {
			opened.Close() // the previous attempt's file, should the transport not have closed it
		}
		var err error
		opened, err = os.Open(path)
		return opened, err
	})
}

// UploadFileResourceContent is UploadFileResource with the bytes in memory, recorded as inline content.
func (c *Client) UploadFileResourceContent(ctx context.Context, namespaceID, name string, content []byte) (api.Object, error) {
	return c.upload(ctx, namespaceID, name, url.Values{"inline": {"true"}},
		func() (io.Reader, error) { return bytes.NewReader(content), nil })
}

func (c *Client) upload(ctx context.Context, namespaceID, name string, origin url.Values, open func() (io.Reader, error)) (api.Object, error) {
	var out api.Object
	_, err := c.do(ctx, call{method: http.MethodPut, path: p("/api/v1/namespaces/%s/file-resources/%s", namespaceID, name),
		query: origin, stream: open, out: &out})
	return out, err
}

// DownloadFileResource returns the current bytes of the file resource name (at most 32 MiB: larger
// files are refused with an error rather than cut).
func (c *Client) DownloadFileResource(ctx context.Context, namespaceID, name string) ([]byte, error) {
	var data []byte
	_, err := c.do(ctx, call{method: http.MethodGet, path: p("/api/v1/namespaces/%s/file-resources/%s", namespaceID, name), rawOut: &data})
	return data, err
}

// SetFileResourceOrigin records where a file resource's current bytes came from without uploading them
// again (the bytes are the same, the configuration names them differently).
func (c *Client) SetFileResourceOrigin(ctx context.Context, id string, origin api.FileOrigin, version int64) (api.Object, error) {
	in, err := ObjectInputFor("", api.FileResourceSpec{Origin: &origin}, version)
	if err != nil {
		return api.Object{}, err
	}
	return c.UpdateObject(ctx, id, in)
}
