package flinktest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Plain HTTP against the cluster, the way a Flink REST client talks to it; kept in the tests so
// the harness proves the endpoints work without depending on the runtime package.

var httpClient = &http.Client{Timeout: 30 * time.Second}

// call sends body (JSON unless nil) and decodes a 2xx response into out; other statuses fail with
// Flink's error text.
func call(t *testing.T, method, url string, body, out any) {
	t.Helper()
	if err := tryCall(method, url, body, out); err != nil {
		t.Fatal(err)
	}
}

func tryCall(method, url string, body, out any) error {
	var r io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return err
		}
		r = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: HTTP %d: %s", method, url, resp.StatusCode, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("%s %s: decoding %.500s: %w", method, url, data, err)
		}
	}
	return nil
}

// eventually retries check every 500ms until it returns nil or the timeout passes.
func eventually(t *testing.T, timeout time.Duration, what string, check func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not after %s: %v", what, timeout, err)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// jobState reads a job's state from /jobs/overview ("" when the job is not listed).
func jobState(t *testing.T, jobID string) string {
	var overview struct {
		Jobs []struct {
			JID   string `json:"jid"`
			State string `json:"state"`
		} `json:"jobs"`
	}
	call(t, http.MethodGet, cluster.RESTURL+"/jobs/overview", nil, &overview)
	for _, j := range overview.Jobs {
		if j.JID == jobID {
			return j.State
		}
	}
	return ""
}

func waitJobState(t *testing.T, jobID, want string, timeout time.Duration) {
	t.Helper()
	eventually(t, timeout, "job "+jobID+" "+want, func() error {
		if s := jobState(t, jobID); s != want {
			return fmt.Errorf("state %q", s)
		}
		return nil
	})
}

// savepoint triggers a savepoint into target (file:///..., s3://...), optionally stopping the
// job, and polls it to completion, returning its location.
func savepoint(t *testing.T, jobID, target string, stop bool) string {
	t.Helper()
	var trigger struct {
		RequestID string `json:"request-id"`
	}
	if stop {
		call(t, http.MethodPost, cluster.RESTURL+"/jobs/"+jobID+"/stop",
			map[string]any{"targetDirectory": target, "drain": false, "formatType": "CANONICAL"}, &trigger)
	} else {
		call(t, http.MethodPost, cluster.RESTURL+"/jobs/"+jobID+"/savepoints",
			map[string]any{"target-directory": target, "cancel-job": false, "formatType": "CANONICAL"}, &trigger)
	}
	if trigger.RequestID == "" {
		t.Fatal("savepoint trigger returned no request-id")
	}
	var location string
	eventually(t, 2*time.Minute, "savepoint of "+jobID, func() error {
		var status struct {
			Status struct {
				ID string `json:"id"`
			} `json:"status"`
			Operation struct {
				Location     string          `json:"location"`
				FailureCause json.RawMessage `json:"failure-cause"`
			} `json:"operation"`
		}
		call(t, http.MethodGet, cluster.RESTURL+"/jobs/"+jobID+"/savepoints/"+trigger.RequestID, nil, &status)
		if status.Status.ID != "COMPLETED" {
			return fmt.Errorf("status %s", status.Status.ID)
		}
		if status.Operation.FailureCause != nil {
			t.Fatalf("savepoint failed: %s", status.Operation.FailureCause)
		}
		location = status.Operation.Location
		return nil
	})
	return location
}

// uploadJar posts a jar to /jars/upload (multipart field "jarfile") and returns the jar id.
func uploadJar(t *testing.T, path string) string {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	part, err := w.CreateFormFile("jarfile", filepath.Base(path))
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	part.Write(data)
	w.Close()
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, cluster.RESTURL+"/jars/upload", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Filename string `json:"filename"`
		Status   string `json:"status"`
	}
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, &out); err != nil || out.Status != "success" {
		t.Fatalf("upload: HTTP %d %s", resp.StatusCode, raw)
	}
	// The jar id is the stored file's name: "<uuid>_flink-testjob.jar".
	return filepath.Base(out.Filename)
}
