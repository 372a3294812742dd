package engine

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/runtime"
	"github.com/streamstate/terraform-provider-flink/internal/store"
)

// OpenFlinkFunc builds a runtime for a Flink session cluster; engines without one refuse flink workspaces.
type OpenFlinkFunc func(cfg api.Runtime) (runtime.Runtime, error)

// runtimeSet holds the runtime of each flink workspace, keyed by workspace and endpoints: a runtime
// watches its jobs, so it is replaced only when the endpoints change (which running jobs forbid).
type runtimeSet struct {
	mu    sync.Mutex
	flink map[string]cachedRuntime // workspace id -> its cluster's runtime
}

type cachedRuntime struct {
	cfg api.Runtime
	rt  runtime.Runtime
}

func validateRuntime(r *api.Runtime) error {
	switch r.Type {
	case "", api.RuntimeLocal:
		if r.RESTURL != "" || r.SQLGatewayURL != "" {
			return invalid("runtime", "the local runtime takes no rest_url or sql_gateway_url; set type = \"flink\" to run jobs on a Flink cluster")
		}
		*r = api.Runtime{Type: api.RuntimeLocal}
	case api.RuntimeFlink:
		if err := validateHTTPURL("runtime.rest_url", r.RESTURL, "the JobManager REST endpoint, for example http://127.0.0.1:8081"); err != nil {
			return err
		}
		if err := validateHTTPURL("runtime.sql_gateway_url", r.SQLGatewayURL, "the SQL Gateway REST endpoint, for example http://127.0.0.1:8083"); err != nil {
			return err
		}
	default:
		return invalid("runtime.type", "%q must be %q or %q", r.Type, api.RuntimeLocal, api.RuntimeFlink)
	}
	return nil
}

func validateHTTPURL(field, raw, what string) error {
	if raw == "" {
		return invalid(field, "a flink runtime needs %s", what)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return invalid(field, "%q is not an http(s) URL: give %s", raw, what)
	}
	return nil
}

// probeRuntime reaches a flink runtime's endpoints and records the cluster's version, so a bad URL is a
// clear error when the workspace is written, not at the first start. It runs outside any transaction.
func (e *Engine) probeRuntime(ctx context.Context, r api.Runtime) (api.Runtime, error) {
	if r.Type != api.RuntimeFlink {
		return r, nil
	}
	if e.openFlink == nil {
		return r, invalid("runtime.type", "this engine cannot run jobs on Flink clusters")
	}
	if err := e.checkRuntimeEndpoints(r); err != nil {
		return r, err
	}
	rt, err := e.openFlink(r)
	if err != nil {
		return r, invalid("runtime", "%v", err)
	}
	defer rt.Close()
	prober, ok := rt.(runtime.Prober)
	if !ok {
		return r, nil
	}
	info, err := prober.Probe(ctx)
	if err != nil {
		return r, invalid("runtime", "%v: check runtime.rest_url and runtime.sql_gateway_url", err)
	}
	r.FlinkVersion = info.FlinkVersion
	return r, nil
}

// runtimeOf returns the runtime a workspace's jobs run on.
func (e *Engine) runtimeOf(ws workspaceRecord) (runtime.Runtime, error) {
	if ws.Runtime.Type != api.RuntimeFlink {
		return e.rt, nil
	}
	e.runtimes.mu.Lock()
	defer e.runtimes.mu.Unlock()
	cfg := api.Runtime{Type: ws.Runtime.Type, RESTURL: ws.Runtime.RESTURL, SQLGatewayURL: ws.Runtime.SQLGatewayURL}
	if c, ok := e.runtimes.flink[ws.ID]; ok {
		if c.cfg == cfg {
			return c.rt, nil
		}
		_ = c.rt.Close()
		delete(e.runtimes.flink, ws.ID)
	}
	if e.openFlink == nil {
		return nil, errf(api.CodeUnavailable, "workspace %q runs jobs on Flink, but this engine was started without Flink support", ws.Name)
	}
	// Checked on every open too: the operator may have narrowed --allow-endpoint since the workspace was made.
	if err := e.checkRuntimeEndpoints(cfg); err != nil {
		return nil, err
	}
	rt, err := e.openFlink(cfg)
	if err != nil {
		return nil, fmt.Errorf("open the Flink runtime of workspace %q: %w", ws.Name, err)
	}
	if e.runtimes.flink == nil {
		e.runtimes.flink = map[string]cachedRuntime{}
	}
	e.runtimes.flink[ws.ID] = cachedRuntime{cfg: cfg, rt: rt}
	return rt, nil
}

// namespaceRuntime returns the runtime of the workspace a namespace belongs to, with that workspace.
func (e *Engine) namespaceRuntime(ctx context.Context, nsID string) (runtime.Runtime, workspaceRecord, error) {
	ws, err := e.namespaceWorkspace(ctx, nsID)
	if err != nil {
		return nil, ws, err
	}
	rt, err := e.runtimeOf(ws)
	return rt, ws, err
}

// closeRuntimes stops watching Flink jobs (they keep running on their clusters).
func (e *Engine) closeRuntimes() error {
	e.runtimes.mu.Lock()
	defer e.runtimes.mu.Unlock()
	var errs []error
	for id, c := range e.runtimes.flink {
		errs = append(errs, c.rt.Close())
		delete(e.runtimes.flink, id)
	}
	return errors.Join(errs...)
}

// activeJobsIn counts the active jobs in a workspace's namespaces.
func activeJobsIn(tx store.Tx, wsID string) (int, error) {
	var nss []api.Namespace
	if err := tx.List(store.Namespaces, store.Query{Where: store.Cols{"workspace_id": wsID}}, &nss); err != nil {
		return 0, err
	}
	n := 0
	for _, ns := range nss {
		for _, st := range []string{api.JobStarting, api.JobRunning, api.JobCancelling} {
			c, err := tx.Count(store.Jobs, store.Cols{"namespace_id": ns.ID, "status": st})
			if err != nil {
				return 0, err
			}
			n += c
		}
	}
	return n, nil
}
