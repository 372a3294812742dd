package flink

import (
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
)

// cuttableProxy forwards to the real JobManager until it is cut; then it drops every connection, as a
// network partition would.
type cuttableProxy struct {
	url  string
	down atomic.Bool
}

func newCuttableProxy(t *testing.T, target string) *cuttableProxy {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cuttableProxy{url: "http://" + ln.Addr().String()}
	rp := httputil.NewSingleHostReverseProxy(u)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p.down.Load() {
			if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
				conn.Close()
			}
			return
		}
		rp.ServeHTTP(w, r)
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return p
}

// While the JobManager cannot be reached, every watched job's status says so (with the URL) and the
// watcher retries with backoff; once it answers again the message clears and the checkpoints completed
// meanwhile are reported, none lost.
func TestUnreachableClusterReportedAndRecovered(t *testing.T) {
	needCluster(t)
	proxy := newCuttableProxy(t, cluster.restURL)
	rt, err := New(Options{RESTURL: proxy.url, SQLGatewayURL: cluster.gatewayURL, PollInterval: 250 * time.Millisecond, MaxBackoff: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	store := newStore(t)
	ev := newRecorder()
	spec := jarSpec(t, store, ev, "partition")
	start(t, rt, spec)
	ev.waitStatus(t, api.JobRunning)
	ev.waitCheckpoints(t, 1)

	proxy.down.Store(true)
	ev.waitFor(t, "a status saying Flink is unreachable", func() bool {
		s := ev.statuses[len(ev.statuses)-1]
		return s.Status == api.JobRunning && strings.Contains(s.Message, proxy.url) && strings.Contains(s.Message, "unreachable")
	})
	ev.mu.Lock()
	seqDown := ev.completed[len(ev.completed)-1].Seq
	ev.mu.Unlock()
	time.Sleep(4 * time.Second) // Flink checkpoints every second meanwhile
	proxy.down.Store(false)
	ev.waitFor(t, "the message cleared", func() bool {
		s := ev.statuses[len(ev.statuses)-1]
		return s.Status == api.JobRunning && s.Message == ""
	})
	cps := ev.waitCheckpoints(t, 1)
	ev.waitFor(t, "the checkpoints of the outage", func() bool { return len(ev.completed) > len(cps) && ev.completed[len(ev.completed)-1].Seq > seqDown+2 })
	ev.mu.Lock()
	defer ev.mu.Unlock()
	for i := 1; i < len(ev.completed); i++ {
		if ev.completed[i].Seq != ev.completed[i-1].Seq+1 {
			t.Fatalf("checkpoint %d was not reported (reported %d then %d)", ev.completed[i-1].Seq+1, ev.completed[i-1].Seq, ev.completed[i].Seq)
		}
	}
	if len(ev.failed) > 0 {
		t.Fatalf("checkpoints failed: %+v", ev.failed)
	}
}
