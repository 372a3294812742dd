package client

import (
	"context"
	"io"
	"net/http"
	"os"

	"github.com/streamstate/terraform-provider-flink/internal/api"
)

// UploadFileResource creates the file resource name in a namespace, or replaces its bytes, with the
// content of the local file at path. The file is streamed, never held in memory, and reopened for every
// attempt: a retried upload (after a lost answer, a 503 or a connection error) sends the whole file
// again, and as the PUT names the object, a retry replaces the bytes with the same ones rather than
// making a second object. The call is bounded by ctx, not by the per-request timeout.
func (c *Client) UploadFileResource(ctx context.Context, namespaceID, name, path string) (api.Object, error) {
	// A missing or unreadable file is the caller's to fix, not a transport failure to retry.
	if f, err := os.Open(path); err != nil {
		return api.Object{}, err
	} else {
		f.Close()
	}
	var out api.Object
	var opened *os.File
	defer func() {
		if opened != nil {
			opened.Close()
		}
	}()
	open := func() (io.Reader, error) {
		if opened != nil {
			opened.Close() // the previous attempt's file, should the transport not have closed it
		}
		f, err := os.Open(path)
		opened = f
		return f, err
	}
	_, err := c.do(ctx, call{method: http.MethodPut, path: p("/api/v1/namespaces/%s/file-resources/%s", namespaceID, name),
		stream: open, out: &out})
	return out, err
}
