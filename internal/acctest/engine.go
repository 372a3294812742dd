// Package acctest is the acceptance-test harness of the provider: it builds and runs a real flink-engine
// for a test package, points the provider at it, and offers fixtures made through the client.
package acctest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/pgtest"
)

// EnvEngineBin names a prebuilt flink-engine binary to use instead of building ./cmd/flink-engine.
const EnvEngineBin = "FLINK_ENGINE_BIN"

// Engine is a flink-engine process started for tests.
type Engine struct {
	Endpoint   string
	AdminToken string
	DataDir    string
	LogPath    string

	dir      string
	dropDB   func() error // the PostgreSQL database made for this engine (FLINK_ENGINE_TEST_DATABASE=postgres)
	cmd      *exec.Cmd
	exited   chan error
	stopOnce sync.Once
}

// StartEngine builds ./cmd/flink-engine as a test build (-tags testclock; unless FLINK_ENGINE_BIN names a
// binary), starts it on a port it picks itself on 127.0.0.1 with a fresh data directory and a random
// admin token, and waits until GET /readyz answers 200. Stop it with Stop.
func StartEngine(ctx context.Context) (*Engine, error) { return startEngine(ctx, nil) }

func startEngine(ctx context.Context, env []string) (*Engine, error) {
	dir, err := os.MkdirTemp("", "flink-acc-")
	if err != nil {
		return nil, err
	}
	e := &Engine{dir: dir, DataDir: filepath.Join(dir, "data"), LogPath: filepath.Join(dir, "engine.log"),
		AdminToken: "acc-admin-" + randomHex(16), exited: make(chan error, 1)}
	if err := os.MkdirAll(e.DataDir, 0o700); err != nil {
		return nil, e.fail(err)
	}
	bin := os.Getenv(EnvEngineBin)
	if bin == "" {
		if bin, err = builtEngine(ctx); err != nil {
			return nil, e.fail(err)
		}
	}
	logFile, err := os.Create(e.LogPath)
	if err != nil {
		return nil, e.fail(err)
	}
	// Port 0: the engine binds a free port itself and logs it, so no other process can take a port
	// between a probe and the bind.
	args := []string{"serve", "--listen", "127.0.0.1:0", "--data-dir", e.DataDir}
	if pgtest.Enabled() {
		url, drop, err := pgtest.CreateDatabase(ctx)
		if err != nil {
			logFile.Close()
			return nil, e.fail(err)
		}
		e.dropDB = drop
		args = append(args, "--database-url", url, "--managed-storage", "file://"+filepath.Join(e.DataDir, "storage"), "--shared-storage")
	}
	e.cmd = exec.Command(bin, args...)
	e.cmd.Env = append(append(os.Environ(), "FLINK_ENGINE_ADMIN_TOKEN="+e.AdminToken), env...)
	e.cmd.Stdout, e.cmd.Stderr = logFile, logFile
	e.cmd.SysProcAttr = dieWithParent()
	if err := e.cmd.Start(); err != nil {
		logFile.Close()
		return nil, e.fail(fmt.Errorf("starting %s: %w", bin, err))
	}
	go func() { e.exited <- e.cmd.Wait(); logFile.Close() }()
	if err := e.waitReady(ctx, 60*time.Second); err != nil {
		e.Stop()
		return nil, fmt.Errorf("%w\n--- engine log (%s) ---\n%s", err, e.LogPath, e.logTail(4000))
	}
	return e, nil
}

func (e *Engine) fail(err error) error {
	_ = os.RemoveAll(e.dir)
	return err
}

// Stop ends the engine (SIGTERM, then SIGKILL after 10s) and removes its temp directory, unless
// FLINK_ACC_KEEP is set (to read the log and data after a failure). Later calls do nothing.
func (e *Engine) Stop() { e.stopOnce.Do(e.stop) }

func (e *Engine) stop() {
	if e.cmd != nil && e.cmd.Process != nil {
		_ = e.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-e.exited:
		case <-time.After(10 * time.Second):
			_ = e.cmd.Process.Kill()
			<-e.exited
		}
	}
	if os.Getenv("FLINK_ACC_KEEP") != "" {
		fmt.Fprintf(os.Stderr, "acctest: engine files kept in %s\n", e.dir)
		return
	}
	if e.dropDB != nil {
		_ = e.dropDB()
	}
	_ = os.RemoveAll(e.dir)
}

// waitReady reads the engine's address from its log, then polls /readyz with a doubling interval until
// 200, the process exits, or the limit passes.
func (e *Engine) waitReady(ctx context.Context, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	hc := &http.Client{Timeout: 2 * time.Second}
	wait := 20 * time.Millisecond
	for {
		if e.Endpoint == "" {
			if addr, ok := listenAddr(e.logTail(1 << 20)); ok {
				e.Endpoint = "http://" + addr
			}
		}
		if e.Endpoint != "" {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, e.Endpoint+"/readyz", nil)
			if resp, err := hc.Do(req); err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					return nil
				}
			}
		}
		select {
		case err := <-e.exited:
			e.exited <- err // Stop waits on it too.
			return fmt.Errorf("flink-engine exited before it was ready: %v", err)
		case <-ctx.Done():
			return fmt.Errorf("flink-engine at %s not ready after %s", e.Endpoint, limit)
		case <-time.After(wait):
		}
		wait = min(wait*2, time.Second)
	}
}

func (e *Engine) logTail(n int) string {
	data, err := os.ReadFile(e.LogPath)
	if err != nil {
		return err.Error()
	}
	if len(data) > n {
		data = data[len(data)-n:]
	}
	return string(data)
}

var (
	buildMu  sync.Mutex
	buildDir string // holds the engine built for this test binary; removed by Main
)

// builtEngine builds the engine once per test binary (the first caller pays) and returns its path.
func builtEngine(ctx context.Context) (string, error) {
	buildMu.Lock()
	defer buildMu.Unlock()
	if buildDir != "" {
		return filepath.Join(buildDir, "flink-engine"), nil
	}
	dir, err := os.MkdirTemp("", "flink-acc-bin-")
	if err != nil {
		return "", err
	}
	bin, err := buildEngine(ctx, dir)
	if err != nil {
		_ = os.RemoveAll(dir)
		return "", err
	}
	buildDir = dir
	return bin, nil
}

func removeBuild() {
	buildMu.Lock()
	defer buildMu.Unlock()
	if buildDir != "" {
		_ = os.RemoveAll(buildDir)
		buildDir = ""
	}
}

// listenAddr finds the address flink-engine reports in its JSON log ("flink-engine listening", addr).
func listenAddr(log string) (string, bool) {
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

// buildEngine compiles ./cmd/flink-engine of this module into dir, as a test build: -tags testclock
// compiles in the test clock (off unless FLINK_ENGINE_TEST_CLOCK=1, see StartTestClockEngine).
func buildEngine(ctx context.Context, dir string) (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "flink-engine")
	cmd := exec.CommandContext(ctx, "go", "build", "-tags", "testclock", "-o", bin, "./cmd/flink-engine")
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build ./cmd/flink-engine: %w\n%s", err, out)
	}
	return bin, nil
}

// moduleRoot walks up from the working directory (a test's package directory) to go.mod.
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
			return "", errors.New("no go.mod above the working directory: run the tests with go test inside the module")
		}
		dir = parent
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// RandomName returns prefix plus a random suffix, for names that must not collide between parallel tests.
func RandomName(prefix string) string {
	return strings.TrimSuffix(prefix, "-") + "-" + randomHex(4)
}
