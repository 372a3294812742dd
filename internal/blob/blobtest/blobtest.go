// Package blobtest starts real stores for tests: a versitygw S3 gateway on 127.0.0.1 and temp-dir
// filesystem stores.
package blobtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/streamstate/terraform-provider-flink/internal/blob"
)

const installHint = "go install github.com/versity/versitygw/cmd/versitygw@latest"

// Server is a running versitygw with the posix backend.
type Server struct {
	Endpoint  string // http://127.0.0.1:PORT
	AccessKey string
	SecretKey string
	Dir       string // the posix root: bucket B, key K is the file Dir/B/K

	client *s3.Client
	mu     sync.Mutex
}

// StartS3 starts versitygw on a free port with a fresh directory and stops it when the test ends. A
// missing binary fails the test with the install command: S3 tests are never skipped silently.
func StartS3(t testing.TB) *Server {
	t.Helper()
	bin := findVersitygw(t)
	srv := &Server{AccessKey: "blobtest-access", SecretKey: "blobtest-secret-key", Dir: t.TempDir()}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ { // another process may take the port between probe and bind
		addr := freeAddr(t)
		var output bytes.Buffer
		cmd := exec.Command(bin, "--port", addr, "--access", srv.AccessKey, "--secret", srv.SecretKey, "--quiet", "posix", srv.Dir)
		cmd.Stdout, cmd.Stderr = &output, &output
		if err := cmd.Start(); err != nil {
			t.Fatalf("blobtest: start %s: %v", bin, err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		srv.Endpoint = "http://" + addr
		if lastErr = waitReady(srv.Endpoint, exited); lastErr == nil {
			t.Cleanup(func() {
				_ = cmd.Process.Kill()
				<-exited
			})
			srv.client = newClient(srv.Endpoint, srv.AccessKey, srv.SecretKey)
			return srv
		}
		_ = cmd.Process.Kill()
		lastErr = fmt.Errorf("%w; output:\n%s", lastErr, output.String())
	}
	t.Fatalf("blobtest: versitygw did not start: %v", lastErr)
	return nil
}

func findVersitygw(t testing.TB) string {
	if p, err := exec.LookPath("versitygw"); err == nil {
		return p
	}
	var gopaths []string
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		gopaths = append(gopaths, filepath.SplitList(strings.TrimSpace(string(out)))...)
	}
	if home, err := os.UserHomeDir(); err == nil {
		gopaths = append(gopaths, filepath.Join(home, "go"))
	}
	for _, gp := range gopaths {
		p := filepath.Join(gp, "bin", "versitygw")
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p
		}
	}
	t.Fatalf("blobtest: versitygw (a local S3 server) is not on PATH nor in $(go env GOPATH)/bin; install it with: %s", installHint)
	return ""
}

func freeAddr(t testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("blobtest: find a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().String()
}

// waitReady polls until the gateway answers HTTP at all (an anonymous request gets 403).
func waitReady(endpoint string, exited <-chan error) error {
	deadline := time.Now().Add(20 * time.Second)
	client := &http.Client{Timeout: time.Second}
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			return fmt.Errorf("versitygw exited before answering: %v", err)
		default:
		}
		if resp, err := client.Get(endpoint + "/"); err == nil {
			resp.Body.Close()
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return errors.New("versitygw did not answer within 20s")
}

func newClient(endpoint, access, secret string) *s3.Client {
	return s3.New(s3.Options{
		BaseEndpoint:               aws.String(endpoint),
		Region:                     "us-east-1",
		UsePathStyle:               true,
		Credentials:                credentials.NewStaticCredentialsProvider(access, secret, ""),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	})
}

// Client is a raw S3 client with the root credentials, for reaching behind a store's back.
func (s *Server) Client() *s3.Client { return s.client }

// Bucket creates bucket name when it does not exist yet and returns a config for it with the root
// credentials.
func (s *Server) Bucket(t testing.TB, name string) blob.S3Config {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	_, err := s.client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(name)})
	var apiErr smithy.APIError
	if err != nil && !(errors.As(err, &apiErr) && (apiErr.ErrorCode() == "BucketAlreadyOwnedByYou" || apiErr.ErrorCode() == "BucketAlreadyExists")) {
		t.Fatalf("blobtest: create bucket %s: %v", name, err)
	}
	return blob.S3Config{
		Endpoint:        s.Endpoint,
		Region:          "us-east-1",
		Bucket:          name,
		PathStyle:       true,
		AccessKeyID:     s.AccessKey,
		SecretAccessKey: s.SecretKey,
	}
}

// ObjectPath is the file versitygw keeps bucket/objectKey in.
func (s *Server) ObjectPath(bucket, objectKey string) string {
	return filepath.Join(s.Dir, bucket, filepath.FromSlash(objectKey))
}

// NewS3Store opens a store on cfg, failing the test on error.
func NewS3Store(t testing.TB, cfg blob.S3Config) *blob.S3 {
	t.Helper()
	store, err := blob.NewS3(context.Background(), cfg)
	if err != nil {
		t.Fatalf("blobtest: %v", err)
	}
	return store
}

// NewFSStore is a filesystem store in a fresh temp directory.
func NewFSStore(t testing.TB) *blob.FS {
	t.Helper()
	store, err := blob.NewFS(t.TempDir())
	if err != nil {
		t.Fatalf("blobtest: %v", err)
	}
	return store
}
