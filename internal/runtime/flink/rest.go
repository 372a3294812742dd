package flink

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/streamstate/terraform-provider-flink/internal/runtime"
)

// maxErrorBody bounds how much of an error answer is read; Flink's stack traces can be long.
const maxErrorBody = 1 << 20

// restClient sends JSON requests to one Flink REST endpoint (the JobManager or the SQL Gateway).
type restClient struct {
	base string // no trailing slash
	http *http.Client
	name string // "Flink REST" or "Flink SQL Gateway", for messages
}

// statusError is a non-2xx answer: Flink's own messages, without the stack traces.
type statusError struct {
	Method, URL string
	Status      int
	Messages    []string // ErrorResponseBody.errors: the first is the message, the rest often stack traces
}

func (e *statusError) Error() string {
	msg := "no message"
	if len(e.Messages) > 0 {
		msg = rootCause(strings.Join(e.Messages, "\n"))
	}
	return fmt.Sprintf("%s %s: HTTP %d: %s", e.Method, e.URL, e.Status, msg)
}

// isStatus reports whether err is a statusError with code.
func isStatus(err error, code int) bool {
	var se *statusError
	return errors.As(err, &se) && se.Status == code
}

// do sends body (JSON-encoded unless it is an io.Reader with contentType set) and decodes a 2xx answer
// into out (when not nil). A transport failure wraps runtime.ErrUnavailable and names the URL.
func (c *restClient) do(ctx context.Context, method, path string, body any, out any) error {
	return c.doRaw(ctx, method, path, "", body, out)
}

func (c *restClient) doRaw(ctx context.Context, method, path, contentType string, body any, out any) error {
	u := c.base + path
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case io.Reader:
		rd = b
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			return fmt.Errorf("%s %s: encode request: %w", method, u, err)
		}
		rd, contentType = bytes.NewReader(buf), "application/json"
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, u, err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("%s %s: %w", method, u, ctx.Err())
		}
		return fmt.Errorf("%w: %s at %s cannot be reached: %v", runtime.ErrUnavailable, c.name, c.base, unwrapURLError(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		se := &statusError{Method: method, URL: u, Status: resp.StatusCode}
		var eb errorResponse
		if json.Unmarshal(raw, &eb) == nil && len(eb.Errors) > 0 {
			se.Messages = eb.Errors
		} else if s := strings.TrimSpace(string(raw)); s != "" {
			se.Messages = []string{s}
		}
		if resp.StatusCode == http.StatusBadGateway || resp.StatusCode == http.StatusServiceUnavailable || resp.StatusCode == http.StatusGatewayTimeout {
			return fmt.Errorf("%w: %s at %s: %v", runtime.ErrUnavailable, c.name, c.base, se)
		}
		return se
	}
	if out == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("%s %s: decode answer: %w (is %s really a %s endpoint?)", method, u, err, c.base, c.name)
	}
	return nil
}

// unwrapURLError drops net/url's "Get \"http://...\":" prefix, since the caller names the URL.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
