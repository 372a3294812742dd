package enginetest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Process is flink-engine running as its own process, so a test can kill it like a crash would.
type Process struct {
	URL     string
	DataDir string
	cmd     *exec.Cmd
	logPath string
}

// StartProcess starts the built engine with dataDir and waits until /readyz answers. The engine picks
// its own port (--listen 127.0.0.1:0) and reports it in its log, so no other process can take the port
// between a probe and the bind.
func StartProcess(t testing.TB, dataDir string) *Process {
	t.Helper()
	return StartProcessWith(t, dataDir, ProcessOptions{})
}

// ProcessOptions add to the engine's command line and environment.
type ProcessOptions struct {
	Args []string // after serve --listen --data-dir, e.g. --managed-storage s3://...
	Env  []string // KEY=value, e.g. AWS_ACCESS_KEY_ID
	// Database is "sqlite" for a test of the SQLite file itself; default as Options.Database.
	Database string
	// TestBuild runs the test build (-tags testclock: FLINK_ENGINE_TEST_CLOCK, FLINK_ENGINE_TEST_REPLICAS).
	TestBuild bool
}

// StartProcessWith is StartProcess with extra flags and environment.
func StartProcessWith(t testing.TB, dataDir string, opts ProcessOptions) *Process {
	t.Helper()
	bin := BuildEngine(t)
	if opts.TestBuild {
		bin = BuildTestEngine(t)
	}
	logPath := filepath.Join(t.TempDir(), "engine.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	args := append([]string{"serve", "--listen", "127.0.0.1:0", "--data-dir", dataDir}, opts.Args...)
	cmd := exec.Command(bin, append(args, processDatabaseArgs(t, dataDir, opts)...)...)
	cmd.Env = append(append(os.Environ(), "FLINK_ENGINE_ADMIN_TOKEN="+AdminToken), opts.Env...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = dieWithParent()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &Process{DataDir: dataDir, cmd: cmd, logPath: logPath}
	t.Cleanup(func() { p.Kill() })
	deadline := time.Now().Add(30 * time.Second)
	for p.URL == "" {
		if addr, ok := ListenAddr(p.Log()); ok {
			p.URL = "http://" + addr
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("flink-engine did not report its address:\n%s", p.Log())
		}
		time.Sleep(20 * time.Millisecond)
	}
	for {
		resp, err := http.Get(p.URL + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(logPath)
			t.Fatalf("flink-engine did not become ready: %v\n%s", err, log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// ListenAddr finds the address flink-engine reports in its JSON log ("flink-engine listening", addr).
func ListenAddr(log string) (string, bool) {
	for _, line := range strings.Split(log, "\n") {
		var rec struct {
			Msg  string `json:"msg"`
			Addr string `json:"addr"`
		}
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "flink-engine listening" && rec.Addr != "" {
			return rec.Addr, true
		}
	}
	return "", false
}

// Kill ends the process with SIGKILL: no shutdown code runs, as in a crash.
func (p *Process) Kill() {
	if p.cmd.ProcessState == nil {
		_ = p.cmd.Process.Kill()
		_ = p.cmd.Wait()
	}
}

// Pause stops the process (SIGSTOP) as a long GC pause or a suspended VM would; Resume continues it.
func (p *Process) Pause() error { return p.cmd.Process.Signal(syscall.SIGSTOP) }

// Resume continues a paused process (SIGCONT).
func (p *Process) Resume() error { return p.cmd.Process.Signal(syscall.SIGCONT) }

// Stop ends the process with SIGTERM and waits for a graceful exit.
func (p *Process) Stop() error {
	if p.cmd.ProcessState != nil {
		return nil
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	return p.cmd.Wait()
}

// Log returns what the process printed.
func (p *Process) Log() string {
	b, _ := os.ReadFile(p.logPath)
	return string(b)
}

// Client returns an HTTP client for the process, authenticated with token.
func (p *Process) Client(token string) *Client { return &Client{base: p.URL, Token: token} }

func goBuild(out string, tags ...string) error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	args := []string{"build", "-o", out}
	if len(tags) > 0 {
		args = append(args, "-tags", strings.Join(tags, ","))
	}
	cmd := exec.Command("go", append(args, "./cmd/flink-engine")...)
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%v: %s", err, b)
	}
	return nil
}

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errNoModule
		}
		dir = parent
	}
}
