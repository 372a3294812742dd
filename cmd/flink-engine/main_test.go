package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/client"
	"github.com/streamstate/terraform-provider-flink/internal/enginetest"
)

// engineProc is a flink-engine binary run with the flags under test.
type engineProc struct {
	cmd  *exec.Cmd
	addr string
	log  string
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startEngine runs `flink-engine serve --listen ADDR --data-dir DIR extra...` and waits until ready
// (ready is probed with probe, which knows the scheme).
func startEngine(t *testing.T, dataDir string, probe func(addr string) bool, extra ...string) *engineProc {
	t.Helper()
	bin := enginetest.BuildEngine(t)
	addr := freeAddr(t)
	logPath := filepath.Join(t.TempDir(), "engine.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, append([]string{"serve", "--listen", addr, "--data-dir", dataDir}, extra...)...)
	cmd.Env = append(os.Environ(), "FLINK_ENGINE_ADMIN_TOKEN="+enginetest.AdminToken)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &engineProc{cmd: cmd, addr: addr, log: logPath}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for !probe(addr) {
		if time.Now().After(deadline) {
			t.Fatalf("flink-engine did not become ready:\n%s", p.output())
		}
		time.Sleep(50 * time.Millisecond)
	}
	return p
}

func (p *engineProc) output() string { b, _ := os.ReadFile(p.log); return string(b) }

func httpReady(addr string) bool {
	resp, err := http.Get("http://" + addr + "/readyz")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// Item 6: an existing data directory with wide modes is brought to 0700, and its key, token and
// database files to 0600, when the engine starts.
func TestDataDirModesEnforcedAtStart(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	for name, content := range map[string][]byte{"secret.key": key, "admin-token": []byte("feadm_x\n")} {
		if err := os.WriteFile(filepath.Join(dir, name), content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	startEngine(t, dir, httpReady)
	want := map[string]os.FileMode{".": 0o700, "secret.key": 0o600, "admin-token": 0o600, "engine.db": 0o600, "engine.db-wal": 0o600, "engine.db-shm": 0o600}
	for name, mode := range want {
		info, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if got := info.Mode().Perm(); got != mode {
			t.Errorf("%s has mode %o, want %o", name, got, mode)
		}
	}
}

// Item 11: a client that sends headers and then trickles (or stops sending) its body is disconnected
// after --read-timeout instead of holding the connection open.
func TestSlowBodyConnectionIsClosed(t *testing.T) {
	p := startEngine(t, t.TempDir(), httpReady, "--read-timeout", "1s")
	conn, err := net.Dial("tcp", p.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/v1/tokens HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"us", enginetest.AdminToken)
	start := time.Now()
	_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	buf := make([]byte, 4096)
	for {
		if _, err := conn.Read(buf); err != nil {
			var ne net.Error
			if ok := asNetError(err, &ne); ok && ne.Timeout() {
				t.Fatalf("the connection was still open after %s", time.Since(start))
			}
			break // closed by the server
		}
	}
	if elapsed := time.Since(start); elapsed > 10*time.Second {
		t.Fatalf("the slow connection was closed only after %s", elapsed)
	}
}

func asNetError(err error, target *net.Error) bool {
	ne, ok := err.(net.Error)
	if ok {
		*target = ne
	}
	return ok
}

func TestPlainHTTPWarningOnlyOffLoopback(t *testing.T) {
	for addr, loop := range map[string]bool{"127.0.0.1:1": true, "[::1]:1": true, "0.0.0.0:1": false, "10.1.2.3:1": false} {
		a, err := net.ResolveTCPAddr("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		if isLoopback(a) != loop {
			t.Errorf("isLoopback(%s) = %v, want %v", addr, !loop, loop)
		}
	}
}

func TestFlagsAreChecked(t *testing.T) {
	for _, args := range [][]string{
		{"--tls-cert-file", "c.pem"},
		{"--max-body-bytes", "0"},
		{"--max-concurrent-uploads", "-1"},
		{"--idempotency-ttl", "0s"},
		{"--read-timeout", "-1s"},
	} {
		if _, err := parseFlags(args); err == nil {
			t.Errorf("parseFlags(%v) accepted", args)
		}
	}
	c, err := parseFlags(nil)
	if err != nil || c.maxBody != 1<<20 || c.idempotencyTTL != 24*time.Hour {
		t.Fatalf("defaults: %+v, %v", c, err)
	}
}

// pki is a CA generated for the test and a server certificate for 127.0.0.1 it signed.
type pki struct{ caFile, certFile, keyFile string }

func newPKI(t *testing.T, dir, name string) pki {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name + " test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true,
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalECPrivateKey(key)
	p := pki{caFile: filepath.Join(dir, name+"-ca.pem"), certFile: filepath.Join(dir, name+"-cert.pem"), keyFile: filepath.Join(dir, name+"-key.pem")}
	write := func(path, typ string, der []byte) {
		if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(p.caFile, "CERTIFICATE", caDER)
	write(p.certFile, "CERTIFICATE", der)
	write(p.keyFile, "EC PRIVATE KEY", keyDER)
	return p
}

func whoami(t *testing.T, addr, caFile string) error {
	t.Helper()
	c, err := client.New(client.Config{Endpoint: "https://" + addr, Token: enginetest.AdminToken, CAFile: caFile, MaxRetries: 0})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = c.WhoAmI(ctx)
	return err
}

// Item 16: the engine serves HTTPS with --tls-cert-file/--tls-key-file; the provider's client trusts it
// through ca_file (a CA generated here); SIGHUP loads a renewed pair without a restart.
func TestTLSWithCAFileAndReloadOnSIGHUP(t *testing.T) {
	dir := t.TempDir()
	first, second := newPKI(t, dir, "first"), newPKI(t, dir, "second")
	certFile, keyFile := filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	install := func(p pki) {
		for src, dst := range map[string]string{p.certFile: certFile, p.keyFile: keyFile} {
			b, err := os.ReadFile(src)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(dst, b, 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	install(first)
	tlsReady := func(addr string) bool {
		conn, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true}) // readiness only
		if err == nil {
			conn.Close()
		}
		return err == nil
	}
	p := startEngine(t, t.TempDir(), tlsReady, "--tls-cert-file", certFile, "--tls-key-file", keyFile)

	if err := whoami(t, p.addr, first.caFile); err != nil {
		t.Fatalf("with ca_file of the serving CA: %v", err)
	}
	if err := whoami(t, p.addr, second.caFile); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("with another CA's ca_file the call must fail on the certificate, got %v", err)
	}
	if resp, err := http.Get("http://" + p.addr + "/healthz"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Fatal("plain HTTP was answered on the TLS listener")
		}
	}

	install(second)
	if err := p.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	enginetest.Eventually(t, 10*time.Second, "the renewed certificate is served after SIGHUP", func() bool {
		return whoami(t, p.addr, second.caFile) == nil
	})
	if err := whoami(t, p.addr, first.caFile); err == nil {
		t.Fatal("the old certificate is still served after SIGHUP")
	}
	// A broken pair on SIGHUP keeps the current one.
	if err := os.WriteFile(keyFile, []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	_ = p.cmd.Process.Signal(syscall.SIGHUP)
	time.Sleep(300 * time.Millisecond)
	if err := whoami(t, p.addr, second.caFile); err != nil {
		t.Fatalf("a failed reload dropped the working certificate: %v\n%s", err, p.output())
	}
}

// Item 17: --metrics-listen serves /metrics without a token on its own address.
func TestMetricsListener(t *testing.T) {
	maddr := freeAddr(t)
	startEngine(t, t.TempDir(), httpReady, "--metrics-listen", maddr)
	resp, err := http.Get("http://" + maddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "flink_engine_jobs") {
		t.Fatalf("GET /metrics on --metrics-listen: %d %.300s", resp.StatusCode, body)
	}
}
