package acctest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/client"
)

// StartTestClockEngine starts an engine of its own for one test, with the test clock on
// (FLINK_ENGINE_TEST_CLOCK=1, honoured only by the test build acctest makes): AdvanceClock moves its
// time forward, so schedules fire and cleanup runs in seconds. Moving the shared engine's clock would
// disturb every parallel test, hence an engine per test. It is stopped when the test ends.
func StartTestClockEngine(t *testing.T) *Engine {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	e, err := startEngine(ctx, []string{"FLINK_ENGINE_TEST_CLOCK=1"})
	if err != nil {
		t.Fatalf("starting a test-clock flink-engine: %v", err)
	}
	t.Cleanup(e.Stop)
	return e
}

// AdvanceClock moves the engine's clock forward by d and waits until the scheduler has run what became
// due (fires recorded, cleanup done); it returns the engine's new time.
func (e *Engine) AdvanceClock(t *testing.T, d time.Duration) time.Time {
	t.Helper()
	body := fmt.Sprintf(`{"advance":%q}`, d.String())
	req, err := http.NewRequestWithContext(Context(t), http.MethodPost, e.Endpoint+"/test/clock", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+e.AdminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("advancing the engine clock: %v", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out struct {
		Now time.Time `json:"now"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(raw, &out) != nil {
		t.Fatalf("advancing the engine clock: %d %s (is %s a test build with FLINK_ENGINE_TEST_CLOCK=1?)", resp.StatusCode, raw, e.Endpoint)
	}
	return out.Now
}

// ProviderConfigFor returns a provider block that points at engine e with its admin token.
func ProviderConfigFor(e *Engine) string {
	return fmt.Sprintf("provider \"flink\" {\n  endpoint = %q\n  token    = %q\n}\n", e.Endpoint, e.AdminToken)
}

// AdminClient returns a client of engine e authenticated with its admin token.
func (e *Engine) AdminClient(t *testing.T) *client.Client {
	t.Helper()
	return newClient(t, e.Endpoint, e.AdminToken)
}
