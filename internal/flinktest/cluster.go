package flinktest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// Options choose the Flink version, the cluster's directory and its S3 settings.
type Options struct {
	// Version is a supported Flink version (Version120, Version2, or a short form such as "2.3");
	// empty means $FLINK_VERSION, else DefaultVersion.
	Version string
	// Dir holds config, logs, stdout files and temp files; empty means a new temp dir that Stop
	// removes (kept when FLINKTEST_KEEP is set).
	Dir string
	// S3, when set, configures the S3 filesystem plugin (s3:// paths for checkpoints/savepoints).
	S3 *S3Options
}

// Cluster is a running session cluster: a JobManager (REST on RESTURL), one TaskManager with 4
// slots, and a SQL Gateway (REST on SQLGatewayURL). Its methods are safe for concurrent use.
type Cluster struct {
	RESTURL       string // e.g. http://127.0.0.1:41234
	SQLGatewayURL string // e.g. http://127.0.0.1:41235
	Version       string // as the JobManager's /config reports it, e.g. "1.20.3"
	Dir           string

	jars      Jars
	java      string
	classpath string
	confDir   string
	ports     ports
	removeDir bool
	tmJVM     []string
	tmDynamic []string
	jmJVM     []string
	jmDynamic []string

	mu      sync.Mutex
	jm      *process
	gateway *process
	tms     []*process // every TaskManager started, the live one last
	stopped bool
}

// Start fetches the jars (once per version), writes the configuration and starts the JobManager,
// a TaskManager and the SQL Gateway; it returns once the TaskManager has registered its slots and
// the gateway answers. Without a deadline on ctx it waits at most 3 minutes. On failure every
// process is killed and the error carries the tail of the logs.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 3*time.Minute)
		defer cancel()
	}
	version, err := resolveVersion(opts.Version)
	if err != nil {
		return nil, err
	}
	jars, err := FetchJars(ctx, version)
	if err != nil {
		return nil, err
	}
	c := &Cluster{jars: jars, Dir: opts.Dir}
	if c.Dir == "" {
		if c.Dir, err = os.MkdirTemp("", "flinktest-"+version+"-"); err != nil {
			return nil, fmt.Errorf("flinktest: creating a cluster dir: %w", err)
		}
		c.removeDir = os.Getenv("FLINKTEST_KEEP") == ""
	}
	if c.Dir, err = filepath.Abs(c.Dir); err != nil {
		return nil, err
	}
	c.confDir = filepath.Join(c.Dir, "conf")
	if c.java, err = javaBinary(); err != nil {
		return nil, err
	}
	if c.classpath, err = jars.Classpath(); err != nil {
		return nil, err
	}
	// A free port can be taken by another process before the JVM binds it: try new ports then.
	for attempt := 1; ; attempt++ {
		if err := c.configure(opts.S3); err != nil {
			return nil, err
		}
		if c.tmJVM == nil {
			if err := c.computeResources(ctx); err != nil {
				return nil, err
			}
		}
		err := c.startAll(ctx)
		if err == nil {
			return c, nil
		}
		c.killProcesses()
		if attempt < 3 && c.portTaken() && ctx.Err() == nil {
			// Keep the failed attempt's logs apart, so the next one is judged on its own.
			logDir := filepath.Join(c.Dir, "log")
			_ = os.Rename(logDir, fmt.Sprintf("%s-attempt-%d", logDir, attempt))
			continue
		}
		c.Stop()
		return nil, err
	}
}

// configure picks free ports and writes config.yaml for them.
func (c *Cluster) configure(s3 *S3Options) error {
	p, err := freePorts(3)
	if err != nil {
		return err
	}
	c.ports = ports{JobManagerRPC: p[0], REST: p[1], SQLGateway: p[2]}
	c.RESTURL = fmt.Sprintf("http://127.0.0.1:%d", c.ports.REST)
	c.SQLGatewayURL = fmt.Sprintf("http://127.0.0.1:%d", c.ports.SQLGateway)
	return writeConfig(c.confDir, clusterConfig(c.Dir, c.ports, s3))
}

// killProcesses kills every process started so far and forgets them (a failed start attempt).
func (c *Cluster) killProcesses() {
	c.mu.Lock()
	ps := append([]*process{c.jm, c.gateway}, c.tms...)
	c.jm, c.gateway, c.tms = nil, nil, nil
	c.mu.Unlock()
	for _, p := range ps {
		p.kill()
	}
}

// portTaken reports whether a process failed because its port was in use.
func (c *Cluster) portTaken() bool {
	for _, f := range c.LogFiles() {
		data, _ := os.ReadFile(f)
		if strings.Contains(string(data), "Address already in use") {
			return true
		}
	}
	return false
}

// computeResources runs BashJavaUtils for the JobManager and the TaskManager in parallel.
func (c *Cluster) computeResources(ctx context.Context) error {
	var wg sync.WaitGroup
	var jmErr, tmErr error
	wg.Add(2)
	go func() { defer wg.Done(); c.jmJVM, c.jmDynamic, jmErr = c.resourceParams(ctx, "GET_JM_RESOURCE_PARAMS") }()
	go func() { defer wg.Done(); c.tmJVM, c.tmDynamic, tmErr = c.resourceParams(ctx, "GET_TM_RESOURCE_PARAMS") }()
	wg.Wait()
	return errors.Join(jmErr, tmErr)
}

func (c *Cluster) startAll(ctx context.Context) error {
	c.mu.Lock()
	var err error
	if c.jm, err = c.startJobManagerLocked(); err == nil {
		if _, err = c.startTaskManagerLocked(); err == nil {
			c.gateway, err = c.startJava("sql-gateway", []string{"-Xmx512m"}, sqlGatewayMain,
				"-Dexecution.target=remote")
		}
	}
	c.mu.Unlock()
	if err != nil {
		return err
	}
	return c.waitReady(ctx, true)
}

func (c *Cluster) startJobManagerLocked() (*process, error) {
	args := append([]string{"--configDir", c.confDir}, c.jmDynamic...)
	return c.startJava("jobmanager", c.jmJVM, jobManagerMain, args...)
}

func (c *Cluster) startTaskManagerLocked() (*process, error) {
	args := append([]string{"--configDir", c.confDir}, c.tmDynamic...)
	p, err := c.startJava(fmt.Sprintf("taskmanager-%d", len(c.tms)+1), c.tmJVM, taskManagerMain, args...)
	if err != nil {
		return nil, err
	}
	c.tms = append(c.tms, p)
	return p, nil
}

// waitReady polls until a TaskManager offers free slots (and, with gateway, the SQL Gateway
// answers), reading the version from /config. A process that exits fails the wait at once.
func (c *Cluster) waitReady(ctx context.Context, gateway bool) error {
	client := &http.Client{Timeout: 2 * time.Second}
	var last string
	for {
		last = c.readiness(ctx, client, gateway)
		if last == "" {
			return nil
		}
		if p := c.exitedProcess(); p != nil {
			return fmt.Errorf("flinktest: %s exited while the cluster started (%s)\n%s", p.name, last, c.diagnostics())
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("flinktest: cluster in %s not ready: %s: %w\n%s", c.Dir, last, ctx.Err(), c.diagnostics())
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// readiness returns "" when ready, else what is still missing.
func (c *Cluster) readiness(ctx context.Context, client *http.Client, gateway bool) string {
	var overview struct {
		TaskManagers   int    `json:"taskmanagers"`
		SlotsAvailable int    `json:"slots-available"`
		FlinkVersion   string `json:"flink-version"`
	}
	if err := getJSON(ctx, client, c.RESTURL+"/overview", &overview); err != nil {
		return "JobManager REST: " + err.Error()
	}
	if overview.TaskManagers < 1 || overview.SlotsAvailable < 1 {
		return fmt.Sprintf("%d TaskManagers, %d free slots", overview.TaskManagers, overview.SlotsAvailable)
	}
	if gateway {
		var info struct {
			Version string `json:"version"`
		}
		if err := getJSON(ctx, client, c.SQLGatewayURL+"/v1/info", &info); err != nil {
			return "SQL Gateway: " + err.Error()
		}
	}
	var config struct {
		FlinkVersion string `json:"flink-version"`
	}
	if err := getJSON(ctx, client, c.RESTURL+"/config", &config); err != nil {
		return "JobManager /config: " + err.Error()
	}
	c.mu.Lock()
	c.Version = config.FlinkVersion
	c.mu.Unlock()
	return ""
}

func getJSON(ctx context.Context, client *http.Client, url string, into any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: HTTP %d", url, resp.StatusCode)
	}
	return json.NewDecoder(resp.Body).Decode(into)
}

func (c *Cluster) exitedProcess() *process {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range c.live() {
		if p.exited() {
			return p
		}
	}
	return nil
}

// live lists the processes that should be running: JobManager, gateway, newest TaskManager.
func (c *Cluster) live() []*process {
	var ps []*process
	for _, p := range []*process{c.jm, c.gateway} {
		if p != nil {
			ps = append(ps, p)
		}
	}
	if n := len(c.tms); n > 0 && c.tms[n-1] != nil {
		ps = append(ps, c.tms[n-1])
	}
	return ps
}

func (c *Cluster) diagnostics() string {
	c.mu.Lock()
	ps := c.live()
	c.mu.Unlock()
	var b strings.Builder
	for _, p := range ps {
		b.WriteString(p.diagnostics())
	}
	return b.String()
}

// TaskManagerStdout returns what every TaskManager of this cluster printed so far, oldest first:
// the print sink's output ("+I[1, 42]" from SQL, "testjob key=..." from the test jar).
func (c *Cluster) TaskManagerStdout() (string, error) {
	c.mu.Lock()
	files := make([]string, 0, len(c.tms))
	for _, p := range c.tms {
		files = append(files, p.out)
	}
	c.mu.Unlock()
	var b strings.Builder
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return "", fmt.Errorf("flinktest: reading TaskManager stdout: %w", err)
		}
		b.Write(data)
	}
	return b.String(), nil
}

// LogFiles lists the cluster's log and stdout files (for a test to print on failure).
func (c *Cluster) LogFiles() []string {
	files, _ := filepath.Glob(filepath.Join(c.Dir, "log", "*"))
	sort.Strings(files)
	return files
}

// KillTaskManager kills the live TaskManager with SIGKILL, as a crashed machine would.
func (c *Cluster) KillTaskManager() {
	c.mu.Lock()
	var p *process
	if n := len(c.tms); n > 0 {
		p = c.tms[n-1]
	}
	c.mu.Unlock()
	p.kill()
}

// StartTaskManager starts a new TaskManager (after KillTaskManager) and waits until its slots are
// registered.
func (c *Cluster) StartTaskManager(ctx context.Context) error {
	c.mu.Lock()
	if n := len(c.tms); n > 0 && !c.tms[n-1].exited() {
		c.mu.Unlock()
		return errors.New("flinktest: a TaskManager is still running; KillTaskManager first")
	}
	_, err := c.startTaskManagerLocked()
	c.mu.Unlock()
	if err != nil {
		return err
	}
	return c.waitReady(ctx, false)
}

// StopJobManager kills the JobManager (SIGKILL): REST becomes unreachable and, without HA, its
// jobs are gone. The TaskManager and the SQL Gateway keep running.
func (c *Cluster) StopJobManager() {
	c.mu.Lock()
	p := c.jm
	c.mu.Unlock()
	p.kill()
}

// StartJobManager starts the JobManager again on the same ports and waits until the TaskManager
// has registered with it.
func (c *Cluster) StartJobManager(ctx context.Context) error {
	c.mu.Lock()
	if c.jm != nil && !c.jm.exited() {
		c.mu.Unlock()
		return errors.New("flinktest: the JobManager is still running; StopJobManager first")
	}
	var err error
	c.jm, err = c.startJobManagerLocked()
	c.mu.Unlock()
	if err != nil {
		return err
	}
	return c.waitReady(ctx, false)
}

// Stop kills every process of the cluster and removes its temp dir (unless FLINKTEST_KEEP is
// set or Options.Dir was given). It is safe to call more than once.
func (c *Cluster) Stop() {
	c.mu.Lock()
	ps := append([]*process{c.jm, c.gateway}, c.tms...)
	already := c.stopped
	c.stopped = true
	c.mu.Unlock()
	if already {
		return
	}
	var wg sync.WaitGroup
	for _, p := range ps {
		if p != nil {
			wg.Add(1)
			go func(p *process) { defer wg.Done(); p.kill() }(p)
		}
	}
	wg.Wait()
	if c.removeDir {
		_ = os.RemoveAll(c.Dir)
	}
}
