package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/enginetest"
)

// reply is what a raw request got back.
type reply struct {
	status  int
	header  http.Header
	body    []byte
	problem api.Problem
}

// raw sends body as it is (no JSON encoding), so tests can send what a well-behaved client would not.
func raw(t testing.TB, env *enginetest.Env, method, path, auth string, body io.Reader) reply {
	t.Helper()
	req, err := http.NewRequest(method, env.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	r := reply{status: resp.StatusCode, header: resp.Header, body: b}
	if resp.StatusCode >= 400 && resp.Header.Get("Content-Type") == "application/problem+json" {
		if err := json.Unmarshal(b, &r.problem); err != nil {
			t.Fatalf("%s %s: problem body does not decode: %v (%s)", method, path, err, b)
		}
	}
	return r
}

func rawString(t testing.TB, env *enginetest.Env, method, path, auth, body string) reply {
	t.Helper()
	return raw(t, env, method, path, auth, bytes.NewBufferString(body))
}

const adminAuth = "Bearer " + enginetest.AdminToken

// userToken makes a token for user and returns its secret.
func userToken(t testing.TB, env *enginetest.Env, user string) string {
	t.Helper()
	var tok api.Token
	env.Admin().Must(t, "POST", "/tokens", api.TokenRequest{User: user}, &tok)
	return tok.Secret
}

func wantProblem(t testing.TB, r reply, status int, code string) {
	t.Helper()
	if r.status != status || r.problem.Code != code {
		t.Fatalf("got %d %q (%s), want %d %q", r.status, r.problem.Code, r.body, status, code)
	}
}
