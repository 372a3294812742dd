package provider_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/streamstate/terraform-provider-flink/internal/acctest"
)

// A bad ca_file, endpoint or lock_timeout is reported on that attribute of the provider block.
func TestAccProviderConfigErrorsPointAtTheAttribute(t *testing.T) {
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: "provider \"flink\" {\n  endpoint = \"https://127.0.0.1:8480\"\n  ca_file  = \"/nonexistent/ca.pem\"\n}\n" +
					workspaceConfig("test", "never"),
				ExpectError: regexp.MustCompile(`(?s)Invalid flink provider ca_file.*in provider "flink":\s+\d+:\s+ca_file\s+=`),
			},
			{
				Config:      "provider \"flink\" {\n  endpoint = \"127.0.0.1:8480\"\n}\n" + workspaceConfig("test", "never"),
				ExpectError: regexp.MustCompile(`(?s)Invalid flink provider endpoint.*in provider "flink":\s+\d+:\s+endpoint\s+=.*8480`),
			},
			{
				Config:      "provider \"flink\" {\n  lock_timeout = \"10 minutes\"\n}\n" + workspaceConfig("test", "never"),
				ExpectError: regexp.MustCompile(`(?s)Invalid duration.*lock_timeout.*"10 minutes".*10m`),
			},
			{
				Config:      "provider \"flink\" {\n  lock_timeout = \"-1m\"\n}\n" + workspaceConfig("test", "never"),
				ExpectError: regexp.MustCompile(`(?s)Invalid lock_timeout.*in provider "flink":\s+\d+:\s+lock_timeout\s+=\s+"-1m".*0\s+or\s+more.*"5m"`),
			},
		},
	})
}

// lostAnswer is a proxy in front of the engine that lets the first update of an object (PUT
// /api/v1/objects/{id}) through to the engine and then answers 502, as a connection lost after the
// engine applied it would; the client retries, and the retry meets the version its first attempt made.
type lostAnswer struct {
	url  string
	lost atomic.Int64
}

// newLostAnswer is a proxy to the engine that loses the answer of the first request lose picks.
func newLostAnswer(t *testing.T, lose func(*http.Request) bool) *lostAnswer {
	t.Helper()
	l := &lostAnswer{}
	l.url = newEngineProxy(t, func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		if lose(r) && l.lost.CompareAndSwap(0, 1) {
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r) // applied by the engine...
			_, _ = io.Copy(io.Discard, rec.Result().Body)
			w.WriteHeader(http.StatusBadGateway) // ...and the answer lost on the way back
			return
		}
		next.ServeHTTP(w, r)
	})
	return l
}

// The retried update is not reported as "changed outside Terraform" (a false 412).
func TestAccUpdateWithLostAnswerIsNotStale(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.CreateNamespace(t, acctest.CreateWorkspace(t).ID)
	for _, kind := range []string{"PLAIN", "ENCRYPTED"} { // an ENCRYPTED value is never read back to compare
		t.Run(kind, func(t *testing.T) {
			l := newLostAnswer(t, func(r *http.Request) bool {
				return r.Method == http.MethodPut && strings.HasPrefix(r.URL.Path, "/api/v1/objects/")
			})
			provider := fmt.Sprintf("provider \"flink\" {\n  endpoint = %q\n}\n", l.url)
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				Steps: []resource.TestStep{
					{Config: provider + strings.Replace(variableConfig(ns.ID, kind, "one"), "db_password", "lost_"+kind, 1)},
					{
						Config: provider + strings.Replace(variableConfig(ns.ID, kind, "two"), "db_password", "lost_"+kind, 1),
						Check: resource.ComposeAggregateTestCheckFunc(
							resource.TestCheckResourceAttr("flink_variable.test", "value", "two"),
							l.check(),
						),
					},
				},
			})
		})
	}
}

// A membership whose create answer was lost is not reported as already existing on the retry.
func TestAccMemberCreateWithLostAnswerIsNotAlreadyExisting(t *testing.T) {
	acctest.PreCheck(t)
	l := newLostAnswer(t, func(r *http.Request) bool {
		return r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/members/")
	})
	provider := fmt.Sprintf("provider \"flink\" {\n  endpoint = %q\n}\n", l.url)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: provider + memberConfig("lost-ws", "lost-ns", "lost-answer-user", "EDITOR"),
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr("flink_namespace_member.test", "role", "EDITOR"),
				l.check(),
			),
		}},
	})
}

// A snapshot policy's create whose answer was lost is retried and answered as the first: not "already
// exists", although the retry finds the policy the first attempt wrote.
func TestAccSnapshotPolicyCreateWithLostAnswerIsNotAlreadyExisting(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.CreateNamespace(t, acctest.CreateWorkspace(t).ID)
	l := newLostAnswer(t, func(r *http.Request) bool {
		return r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "/snapshot-policy")
	})
	provider := fmt.Sprintf("provider \"flink\" {\n  endpoint = %q\n}\n", l.url)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: provider + policyConfig(ns.ID, "0 3 * * *", "UTC", ""),
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr("flink_snapshot_policy.p", "schedule.cron", "0 3 * * *"),
				l.check(),
			),
		}},
	})
}

// check fails a test whose proxy lost no answer: the retry path would not have been taken.
func (l *lostAnswer) check() resource.TestCheckFunc {
	return func(*terraformState) error {
		if l.lost.Load() != 1 {
			return fmt.Errorf("the proxy lost no answer: the retry path was not taken")
		}
		return nil
	}
}
