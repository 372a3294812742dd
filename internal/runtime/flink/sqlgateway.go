package flink

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// sqlGateway is the SQL Gateway REST API: one method per endpoint the runtime uses. Paths carry the API
// version the gateway advertises (v1 on every release; v2+ add rowFormat to result fetches).
type sqlGateway struct {
	rest    restClient
	version string // "v1", "v2", ...: the newest the gateway offers, set by negotiate
}

// Operation states of the gateway (OperationStatus).
const (
	opFinished = "FINISHED"
	opError    = "ERROR"
	opCanceled = "CANCELED"
	opClosed   = "CLOSED"
	opTimeout  = "TIMEOUT"
)

type apiVersions struct {
	Versions []string `json:"versions"`
}

type gatewayInfo struct {
	ProductName string `json:"productName"`
	Version     string `json:"version"`
}

type openSessionRequest struct {
	SessionName string            `json:"sessionName,omitempty"`
	Properties  map[string]string `json:"properties,omitempty"`
}

type openSessionResponse struct {
	SessionHandle string `json:"sessionHandle"`
}

type executeStatementRequest struct {
	Statement       string            `json:"statement"`
	ExecutionConfig map[string]string `json:"executionConfig,omitempty"`
}

type executeStatementResponse struct {
	OperationHandle string `json:"operationHandle"`
}

type operationStatus struct {
	Status string `json:"status"`
}

// fetchResults is FetchResultsResponseBody. jobID is set for statements that submitted a job.
type fetchResults struct {
	ResultType string `json:"resultType"` // NOT_READY, PAYLOAD, EOS
	JobID      string `json:"jobID"`
	ResultKind string `json:"resultKind"`
	Results    struct {
		Data []struct {
			Kind   string            `json:"kind"`
			Fields []json.RawMessage `json:"fields"`
		} `json:"data"`
	} `json:"results"`
}

// negotiate reads /api_versions and keeps the newest version this client knows how to speak.
func (g *sqlGateway) negotiate(ctx context.Context) error {
	if g.version != "" {
		return nil
	}
	var out apiVersions
	if err := g.rest.do(ctx, http.MethodGet, "/api_versions", nil, &out); err != nil {
		return err
	}
	var vs []string
	for _, v := range out.Versions {
		if v = strings.ToLower(v); strings.HasPrefix(v, "v") {
			vs = append(vs, v)
		}
	}
	if len(vs) == 0 {
		return fmt.Errorf("GET %s/api_versions: the SQL Gateway offers no API version (answer %v)", g.rest.base, out.Versions)
	}
	sort.Slice(vs, func(a, b int) bool { return len(vs[a]) < len(vs[b]) || len(vs[a]) == len(vs[b]) && vs[a] < vs[b] })
	g.version = vs[len(vs)-1]
	return nil
}

// info is GET /v1/info: the gateway's product name and Flink version.
func (g *sqlGateway) info(ctx context.Context) (gatewayInfo, error) {
	var out gatewayInfo
	return out, g.rest.do(ctx, http.MethodGet, "/v1/info", nil, &out)
}

func (g *sqlGateway) path(format string, args ...string) string {
	esc := make([]any, len(args))
	for i, a := range args {
		esc[i] = url.PathEscape(a)
	}
	return "/" + g.version + fmt.Sprintf(format, esc...)
}

// openSession is POST /sessions.
func (g *sqlGateway) openSession(ctx context.Context, name string, props map[string]string) (string, error) {
	if err := g.negotiate(ctx); err != nil {
		return "", err
	}
	var out openSessionResponse
	err := g.rest.do(ctx, http.MethodPost, g.path("/sessions"), openSessionRequest{SessionName: name, Properties: props}, &out)
	return out.SessionHandle, err
}

// closeSession is DELETE /sessions/{handle}. It closes the session's operations; jobs already
// submitted keep running on the cluster.
func (g *sqlGateway) closeSession(ctx context.Context, session string) error {
	return g.rest.do(ctx, http.MethodDelete, g.path("/sessions/%s", session), nil, nil)
}

// executeStatement is POST /sessions/{handle}/statements; it returns the operation handle.
func (g *sqlGateway) executeStatement(ctx context.Context, session, stmt string, cfg map[string]string) (string, error) {
	var out executeStatementResponse
	err := g.rest.do(ctx, http.MethodPost, g.path("/sessions/%s/statements", session), executeStatementRequest{Statement: stmt, ExecutionConfig: cfg}, &out)
	return out.OperationHandle, err
}

// operationStatus is GET /sessions/{handle}/operations/{op}/status.
func (g *sqlGateway) operationStatus(ctx context.Context, session, op string) (string, error) {
	var out operationStatus
	err := g.rest.do(ctx, http.MethodGet, g.path("/sessions/%s/operations/%s/status", session, op), nil, &out)
	return out.Status, err
}

// fetchFirst is GET /sessions/{handle}/operations/{op}/result/0. For a failed operation the gateway
// answers 500 with the error's stack trace, which the statusError reduces to its root cause.
func (g *sqlGateway) fetchFirst(ctx context.Context, session, op string) (fetchResults, error) {
	p := g.path("/sessions/%s/operations/%s/result/0", session, op)
	if g.version != "v1" {
		p += "?rowFormat=JSON"
	}
	var out fetchResults
	return out, g.rest.do(ctx, http.MethodGet, p, nil, &out)
}

// runStatement executes stmt and waits for its operation to end; it returns the job id the statement
// submitted ("" for DDL and SET). A statement Flink rejects returns Flink's message.
func (g *sqlGateway) runStatement(ctx context.Context, session, stmt string, cfg map[string]string, poll time.Duration) (string, error) {
	op, err := g.executeStatement(ctx, session, stmt, cfg)
	if err != nil {
		return "", err
	}
	for {
		st, err := g.operationStatus(ctx, session, op)
		if err != nil {
			return "", err
		}
		switch st {
		case opFinished, opError:
			res, err := g.fetchFirst(ctx, session, op)
			var se *statusError
			if errors.As(err, &se) && len(se.Messages) > 0 {
				// Flink's reason, not the gateway's wrapping of it.
				return "", errors.New(rootCause(strings.Join(se.Messages, "\n")))
			}
			if err != nil {
				return "", err
			}
			if st == opError {
				return "", fmt.Errorf("the SQL Gateway reports the statement failed without a message")
			}
			return resultJobID(res), nil
		case opCanceled, opClosed, opTimeout:
			return "", fmt.Errorf("the SQL Gateway ended the statement with status %s", st)
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(poll):
		}
	}
}

// resultJobID reads the job id from a statement's result: the jobID field, or the single "job id" column
// that INSERT and EXECUTE STATEMENT SET return.
func resultJobID(res fetchResults) string {
	if res.JobID != "" {
		return res.JobID
	}
	if len(res.Results.Data) == 1 && len(res.Results.Data[0].Fields) == 1 {
		var s string
		if json.Unmarshal(res.Results.Data[0].Fields[0], &s) == nil && isHexJobID(s) {
			return s
		}
	}
	return ""
}

func isHexJobID(s string) bool {
	if len(s) != 32 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
