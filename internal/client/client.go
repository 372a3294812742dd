// Package client is the typed Go client of the flink-engine HTTP API. It retries connection errors and
// 429/502/503/504 answers (honouring Retry-After), sends one Idempotency-Key per logical create, turns
// problem+json answers into *Error values, and waits for long operations with exponential backoff.
package client

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/hashicorp/go-retryablehttp"

	"github.com/streamstate/terraform-provider-flink/internal/api"
)

// Defaults used by the provider when its configuration leaves a setting out.
const (
	DefaultMaxRetries     = 4
	DefaultRequestTimeout = 30 * time.Second
	DefaultRetryWaitMin   = 500 * time.Millisecond
	DefaultRetryWaitMax   = 30 * time.Second
	DefaultPollMin        = 200 * time.Millisecond
	DefaultPollMax        = 5 * time.Second
)

// Config configures a Client. Endpoint and Token are required.
type Config struct {
	// Endpoint is the engine's base URL, e.g. "http://127.0.0.1:8480".
	Endpoint string
	// Token is the bearer token sent on every call.
	Token string
	// Version goes into the User-Agent "terraform-provider-flink/<Version>".
	Version string
	// TerraformVersion, when known, goes into the User-Agent too: "Terraform/<v> terraform-provider-flink/<Version>".
	TerraformVersion string
	// CAFile is an optional PEM bundle trusted for an https endpoint.
	CAFile string
	// MaxRetries is how many times a retryable failure is retried after the first attempt (0: never).
	MaxRetries int
	// RequestTimeout bounds one HTTP attempt (0: DefaultRequestTimeout).
	RequestTimeout time.Duration
	// RetryWaitMin and RetryWaitMax bound the exponential wait between retries when the engine sends no
	// Retry-After (0: the defaults).
	RetryWaitMin, RetryWaitMax time.Duration
	// PollMin and PollMax bound the exponential backoff of the waiters (0: the defaults).
	PollMin, PollMax time.Duration
	// LockTimeout is how long a change refused because a running clone holds its namespace (423 locked)
	// is sent again, with PollMin..PollMax backoff, before the refusal is returned (0: returned at once).
	// The call's context bounds the wait too.
	LockTimeout time.Duration
	// HTTPClient replaces the transport (tests); CAFile and RequestTimeout are then ignored.
	HTTPClient *http.Client
}

// Client calls the engine API. It is safe for concurrent use.
type Client struct {
	base      *url.URL
	token     string
	userAgent string
	http      *http.Client
	cfg       Config
}

// New checks cfg and returns a Client. It does not contact the engine (see WhoAmI).
func New(cfg Config) (*Client, error) {
	if strings.TrimSpace(cfg.Endpoint) == "" {
		return nil, &ConfigError{Field: "endpoint", Err: errors.New("endpoint is empty: set it to the flink-engine base URL, e.g. http://127.0.0.1:8480")}
	}
	base, err := url.Parse(strings.TrimRight(cfg.Endpoint, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, &ConfigError{Field: "endpoint", Err: fmt.Errorf("endpoint %q is not an http(s) URL: use the form http://HOST:PORT (the engine listens on 127.0.0.1:8480 by default)", cfg.Endpoint)}
	}
	if cfg.Token == "" {
		return nil, &ConfigError{Field: "token", Err: errors.New("token is empty: set it to a flink-engine API token")}
	}
	if cfg.MaxRetries < 0 {
		cfg.MaxRetries = 0
	}
	setDefault(&cfg.RequestTimeout, DefaultRequestTimeout)
	setDefault(&cfg.RetryWaitMin, DefaultRetryWaitMin)
	setDefault(&cfg.RetryWaitMax, DefaultRetryWaitMax)
	setDefault(&cfg.PollMin, DefaultPollMin)
	setDefault(&cfg.PollMax, DefaultPollMax)
	if cfg.Version == "" {
		cfg.Version = "dev"
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc, err = newHTTPClient(cfg)
		if err != nil {
			return nil, &ConfigError{Field: "ca_file", Err: err}
		}
	}
	return &Client{
		base:      base,
		token:     cfg.Token,
		userAgent: userAgent(cfg),
		http:      hc,
		cfg:       cfg,
	}, nil
}

// ConfigError is a Config the client refuses; Field names the setting (endpoint, token, ca_file).
type ConfigError struct {
	Field string
	Err   error
}

func (e *ConfigError) Error() string { return e.Err.Error() }
func (e *ConfigError) Unwrap() error { return e.Err }

// userAgent is "Terraform/<v> (+https://www.terraform.io) terraform-provider-flink/<v>", the form
// HashiCorp's providers send, or the provider part alone when the Terraform version is unknown.
func userAgent(cfg Config) string {
	ua := "terraform-provider-flink/" + cfg.Version
	if cfg.TerraformVersion != "" {
		ua = "Terraform/" + cfg.TerraformVersion + " (+https://www.terraform.io) " + ua
	}
	return ua
}

func setDefault(d *time.Duration, def time.Duration) {
	if *d <= 0 {
		*d = def
	}
}

// maxIdleConnsPerHost is how many kept-alive connections to the engine the client holds on to.
const maxIdleConnsPerHost = 32

func newHTTPClient(cfg Config) (*http.Client, error) {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	// Terraform calls the engine from up to 10 resources at once (-parallelism): with the default of 2
	// idle connections per host, most calls of a large refresh opened a new connection and left the old
	// one in TIME_WAIT. Every call goes to the one engine host, so keep enough for that parallelism.
	transport.MaxIdleConnsPerHost = maxIdleConnsPerHost
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("ca_file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("ca_file %s holds no PEM certificate", cfg.CAFile)
		}
		transport.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	return &http.Client{Transport: transport, Timeout: cfg.RequestTimeout}, nil
}

// Endpoint returns the engine base URL the client calls.
func (c *Client) Endpoint() string { return c.base.String() }

// UserAgent returns the User-Agent header the client sends.
func (c *Client) UserAgent() string { return c.userAgent }

// TransportError is a call that got no HTTP answer: connection refused, DNS failure, TLS failure, timeout.
type TransportError struct {
	Method, URL string
	Err         error
}

func (e *TransportError) Error() string {
	return fmt.Sprintf("%s %s: %v", e.Method, e.URL, e.Err)
}

func (e *TransportError) Unwrap() error { return e.Err }

// IsUnreachable reports that the engine could not be reached at all.
func IsUnreachable(err error) bool {
	var t *TransportError
	return errors.As(err, &t)
}

// call describes one API call.
type call struct {
	method string
	path   string
	query  url.Values
	in     any
	out    any
	// stream, when set, is the raw request body (instead of in as JSON), opened anew for every attempt;
	// the call is then bounded by ctx alone, not by the per-attempt RequestTimeout.
	stream func() (io.Reader, error)
	// rawOut, when set, receives the answer's bytes as they are (a download); they are not logged.
	rawOut *[]byte
	// readOnly marks a POST that changes nothing (a validation): it carries no Idempotency-Key.
	readOnly bool
	// heldByAClone, when set, says which refusals mean that a running clone holds the namespace, so
	// Config.LockTimeout waits them out; IsLocked when nil.
	heldByAClone func(error) bool
}

// maxAnswer bounds the bytes read of one answer.
const maxAnswer = 32 << 20

// do runs a call with retries and returns the HTTP status of the final answer.
func (c *Client) do(ctx context.Context, cl call) (int, error) {
	u := *c.base
	u.Path = c.base.Path + cl.path
	u.RawQuery = cl.query.Encode()

	var body []byte
	if cl.in != nil {
		var err error
		if body, err = json.Marshal(cl.in); err != nil {
			return 0, fmt.Errorf("encoding %s %s request: %w", cl.method, cl.path, err)
		}
	}
	var raw any
	switch {
	case cl.stream != nil:
		raw = retryablehttp.ReaderFunc(cl.stream)
	case body != nil:
		raw = body
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, cl.method, u.String(), raw)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("User-Agent", c.userAgent)
	req.Header.Set("Accept", "application/json, application/problem+json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	rc := c.retrying(ctx)
	if cl.stream != nil {
		req.Header.Set("Content-Type", "application/octet-stream")
		untimed := *c.http
		untimed.Timeout = 0 // an upload takes as long as its bytes need; the caller's ctx bounds it
		rc.HTTPClient = &untimed
	}
	mutating := cl.method != http.MethodGet && !cl.readOnly
	if mutating && cl.stream == nil {
		// Every mutating call carries one, generated once here; retryablehttp resends this same request
		// (headers included) on retry, so an attempt whose answer was lost is answered as it was.
		req.Header.Set(api.HeaderIdempotencyKey, uuid.NewString())
	}
	if cl.heldByAClone == nil {
		cl.heldByAClone = IsLocked
	}
	status, err := c.send(ctx, cl, rc, req, body)
	if mutating && c.cfg.LockTimeout > 0 && cl.heldByAClone(err) {
		status, err = c.sendWhileLocked(ctx, cl, rc, req, body, err)
	}
	return status, err
}

// sendWhileLocked sends a call the engine refused because a running clone holds its namespace again,
// with backoff, until an answer is not such a refusal or LockTimeout (or ctx) ends; then the last
// refusal is returned with the time waited. A refusal changed nothing, so each resend takes a new
// Idempotency-Key: the engine replays a key's first answer, and that answer was the refusal.
func (c *Client) sendWhileLocked(ctx context.Context, cl call, rc *retryablehttp.Client, req *retryablehttp.Request,
	body []byte, refused error) (int, error) {
	started := time.Now()
	waitCtx, cancel := context.WithTimeout(ctx, c.cfg.LockTimeout)
	defer cancel()
	if e, ok := AsError(refused); ok {
		NewLogger(ctx).Info("namespace held by a running clone: waiting for it to end", "task", e.TaskID,
			"method", cl.method, "path", cl.path, "lock_timeout", c.cfg.LockTimeout.String())
	}
	var status int
	refusedJustNow := true
	err := c.Poll(waitCtx, func(context.Context) (bool, error) {
		if refusedJustNow { // Poll checks before its first wait: skip that check
			refusedJustNow = false
			return false, nil
		}
		if req.Header.Get(api.HeaderIdempotencyKey) != "" {
			req.Header.Set(api.HeaderIdempotencyKey, uuid.NewString())
		}
		var err error
		// The resend runs under ctx, not waitCtx: the lock wait may end while a request is on its way,
		// but the request itself is bounded by the caller's deadline alone.
		status, err = c.send(ctx, cl, rc, req, body)
		if cl.heldByAClone(err) {
			refused = err
			return false, nil
		}
		return true, err
	})
	if err == nil || !errors.Is(err, waitCtx.Err()) {
		return status, err
	}
	e, ok := AsError(refused)
	if !ok {
		return status, refused
	}
	e.LockWaited = time.Since(started)
	if e.LockWaited >= time.Second {
		e.LockWaited = e.LockWaited.Round(time.Second) // "5m0s", not "5m0.0123s"; a shorter wait stays nonzero
	}
	return e.Status, refused
}

// send makes one call (retryablehttp retrying it as checkRetry says) and decodes the answer.
func (c *Client) send(ctx context.Context, cl call, rc *retryablehttp.Client, req *retryablehttp.Request, body []byte) (int, error) {
	u := req.URL
	attempt, started := 0, time.Now()
	rc.RequestLogHook = func(_ retryablehttp.Logger, _ *http.Request, n int) { attempt = n }
	resp, err := rc.Do(req)
	if err != nil {
		logCall(ctx, cl.method, cl.path, 0, time.Since(started), attempt, body, nil)
		if ctxErr := ctx.Err(); ctxErr != nil {
			return 0, fmt.Errorf("%s %s: %w", cl.method, cl.path, ctxErr)
		}
		return 0, &TransportError{Method: cl.method, URL: u.Redacted(), Err: unwrapURLError(err)}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	logged := data
	if cl.rawOut != nil && resp.StatusCode < 400 {
		logged = nil // a file's bytes, not an answer to log
	}
	logCall(ctx, cl.method, cl.path, resp.StatusCode, time.Since(started), attempt, body, logged)
	if err != nil {
		return resp.StatusCode, &TransportError{Method: cl.method, URL: u.Redacted(), Err: err}
	}
	if resp.StatusCode >= 400 {
		e := decodeProblem(resp.StatusCode, data)
		e.Method, e.Path, e.Retried = cl.method, cl.path, attempt > 0
		return resp.StatusCode, e
	}
	if cl.rawOut != nil {
		if resp.ContentLength > int64(len(data)) {
			return resp.StatusCode, fmt.Errorf("%s %s: the answer has %d bytes, more than the %d this client reads",
				cl.method, cl.path, resp.ContentLength, maxAnswer)
		}
		*cl.rawOut = data
		return resp.StatusCode, nil
	}
	if cl.out != nil && resp.StatusCode != http.StatusNoContent && len(bytes.TrimSpace(data)) > 0 {
		if err := json.Unmarshal(data, cl.out); err != nil {
			return resp.StatusCode, fmt.Errorf("decoding %s %s answer (HTTP %d): %w", cl.method, cl.path, resp.StatusCode, err)
		}
	}
	return resp.StatusCode, nil
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func decodeProblem(status int, data []byte) *Error {
	var p api.Problem
	if err := json.Unmarshal(data, &p); err == nil && (p.Code != "" || p.Detail != "" || p.Title != "") {
		return problemError(status, p)
	}
	msg := strings.TrimSpace(string(data))
	if len(msg) > 300 {
		msg = msg[:300] + "..."
	}
	if msg == "" {
		msg = http.StatusText(status)
	}
	return &Error{Status: status, Message: msg}
}

// retrying returns a retryablehttp client for one call; its logger writes through the call's context.
func (c *Client) retrying(ctx context.Context) *retryablehttp.Client {
	return &retryablehttp.Client{
		HTTPClient:   c.http,
		Logger:       NewLogger(ctx),
		RetryWaitMin: c.cfg.RetryWaitMin,
		RetryWaitMax: c.cfg.RetryWaitMax,
		RetryMax:     c.cfg.MaxRetries,
		CheckRetry:   checkRetry,
		Backoff:      backoff,
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
	}
}

// checkRetry retries connection errors and 429/502/503/504; everything else is the engine's answer.
func checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if err != nil {
		// The default policy refuses to retry certificate, scheme and redirect errors.
		return retryablehttp.DefaultRetryPolicy(ctx, resp, err)
	}
	return isRetryableStatus(resp.StatusCode), nil
}

func isRetryableStatus(status int) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// backoff waits what Retry-After asks on a retryable answer (at most max), else min·2^attempt capped at max.
func backoff(min, max time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil && isRetryableStatus(resp.StatusCode) {
		// Capped by the longest wait configured: a server asking for an hour must not hang an apply.
		if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			if d > max {
				d = max
			}
			return d
		}
	}
	return retryablehttp.DefaultBackoff(min, max, attempt, nil)
}

// parseRetryAfter reads delay-seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.Atoi(v); err == nil {
		if secs < 0 {
			return 0, false
		}
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := t.Sub(now)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}

// listAll fetches every page of a listing.
func listAll[T any](ctx context.Context, c *Client, path string, query url.Values) ([]T, error) {
	items := []T{}
	q := url.Values{}
	for k, v := range query {
		q[k] = v
	}
	for {
		var page api.Page[T]
		if _, err := c.do(ctx, call{method: http.MethodGet, path: path, query: q, out: &page}); err != nil {
			return nil, err
		}
		items = append(items, page.Items...)
		if page.NextPageToken == "" {
			return items, nil
		}
		q.Set("page_token", page.NextPageToken)
	}
}

func p(format string, ids ...string) string {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = url.PathEscape(id)
	}
	return fmt.Sprintf(format, args...)
}

// get, post, put and del are the shapes most routes take.
func get[T any](ctx context.Context, c *Client, path string, query url.Values) (T, error) {
	var out T
	_, err := c.do(ctx, call{method: http.MethodGet, path: path, query: query, out: &out})
	return out, err
}

func create[T any](ctx context.Context, c *Client, path string, in any) (T, error) {
	var out T
	_, err := c.do(ctx, call{method: http.MethodPost, path: path, in: in, out: &out})
	return out, err
}

func post[T any](ctx context.Context, c *Client, path string, in any) (T, error) {
	var out T
	_, err := c.do(ctx, call{method: http.MethodPost, path: path, in: in, out: &out})
	return out, err
}

func put[T any](ctx context.Context, c *Client, path string, in any) (T, error) {
	var out T
	_, err := c.do(ctx, call{method: http.MethodPut, path: path, in: in, out: &out})
	return out, err
}

func (c *Client) del(ctx context.Context, path string, query url.Values) error {
	_, err := c.do(ctx, call{method: http.MethodDelete, path: path, query: query})
	return err
}
