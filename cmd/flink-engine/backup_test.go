package main

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/enginetest"
	"github.com/streamstate/terraform-provider-flink/internal/store"
)

// `flink-engine backup` copies the SQLite store while the engine keeps writing; the copy is a
// consistent database an engine starts on, holding at least what was committed before the backup.
func TestBackupWhileTheEngineWrites(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	p := enginetest.StartProcess(t, data)
	a := p.Client(enginetest.AdminToken)
	ws := a.Workspace(t, "ws")
	var created atomic.Int64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { // writes until the backup has finished
		defer close(done)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			var ns api.Namespace
			status, prob, err := a.Try("POST", "/workspaces/"+ws.ID+"/namespaces", api.NamespaceInput{Name: fmt.Sprintf("ns-%04d", i)}, &ns)
			if err != nil || status != http.StatusCreated {
				t.Errorf("create namespace: %d %+v %v", status, prob, err)
				return
			}
			created.Add(1)
		}
	}()
	for created.Load() < 20 {
		time.Sleep(10 * time.Millisecond)
	}
	before := created.Load()
	backupFile := filepath.Join(dir, "backup.db")
	out, err := exec.Command(enginetest.BuildEngine(t), "backup", "--data-dir", data, "--to", backupFile).CombinedOutput()
	after := created.Load()
	close(stop)
	<-done
	if err != nil {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	if info, err := os.Stat(backupFile); err != nil || info.Mode().Perm() != store.FileMode {
		t.Fatalf("backup file: %v, mode %v; want %o", err, info.Mode().Perm(), store.FileMode)
	}
	out, err = exec.Command(enginetest.BuildEngine(t), "backup", "--data-dir", data, "--to", backupFile).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "never overwrites") {
		t.Fatalf("a second backup to the same file: %v\n%s", err, out)
	}

	// An engine started on the copy (with the original key) serves what the backup holds.
	restored := filepath.Join(dir, "restored")
	if err := os.MkdirAll(restored, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(backupFile, filepath.Join(restored, "engine.db")); err != nil {
		t.Fatal(err)
	}
	key, _ := os.ReadFile(filepath.Join(data, "secret.key"))
	if err := os.WriteFile(filepath.Join(restored, "secret.key"), key, 0o600); err != nil {
		t.Fatal(err)
	}
	r := enginetest.StartProcess(t, restored).Client(enginetest.AdminToken)
	var page api.Page[api.Namespace]
	r.Must(t, "GET", "/workspaces/"+ws.ID+"/namespaces?limit=1000", nil, &page)
	n := int64(len(page.Items))
	if n < before || n > after+1 {
		t.Fatalf("the backup holds %d namespaces; %d were created before it began and %d when it ended", n, before, after)
	}
}
