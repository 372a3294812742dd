package provider_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/acctest"
	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/client"
)

const benchResources = 300

// BenchmarkPlan300Snapshots times `terraform plan` (refresh included) over 300 flink_job_snapshot
// resources against 300 terraform_data resources, in one run against one engine, and reports both
// times and their ratio (target ≤ 1.5). It builds the provider, points Terraform at it with a
// dev_overrides CLI config, applies each configuration once, then times plans.
func BenchmarkPlan300Snapshots(b *testing.B) {
	tf := terraformPath(b)
	ctx := context.Background()
	eng, err := acctest.StartEngine(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer eng.Stop()
	work := b.TempDir()
	bin := filepath.Join(work, "bin")
	if out, err := exec.Command("go", "build", "-o", filepath.Join(bin, "terraform-provider-flink"),
		"github.com/streamstate/terraform-provider-flink").CombinedOutput(); err != nil {
		b.Fatalf("building the provider: %v\n%s", err, out)
	}
	cliConfig := filepath.Join(work, "terraformrc")
	if err := os.WriteFile(cliConfig, []byte(fmt.Sprintf(`provider_installation {
  dev_overrides {
    "streamstate/flink" = %q
  }
  direct {}
}
`, bin)), 0o600); err != nil {
		b.Fatal(err)
	}
	env := append(os.Environ(), "TF_CLI_CONFIG_FILE="+cliConfig, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1",
		"FLINK_ENDPOINT="+eng.Endpoint, "FLINK_TOKEN="+eng.AdminToken)

	depID := runningDeployment(b, eng)
	snapDir := writeConfig(b, work, "snapshots", fmt.Sprintf(`
resource "flink_job_snapshot" "s" {
  count         = %d
  deployment_id = %q
  description   = "bench ${count.index}"
}
`, benchResources, depID))
	dataDir := writeConfig(b, work, "data", fmt.Sprintf(`
resource "terraform_data" "d" {
  count = %d
  input = "bench ${count.index}"
}
`, benchResources))

	for _, dir := range []string{snapDir, dataDir} {
		runTerraform(b, tf, dir, env, "apply", "-auto-approve", "-input=false")
	}
	var snapTotal, dataTotal, noRefreshTotal time.Duration
	b.ResetTimer()
	for range b.N {
		snapTotal += timeTerraform(b, tf, snapDir, env)
		dataTotal += timeTerraform(b, tf, dataDir, env)
		// Without refresh no engine call is made: what is left is Terraform and the provider's RPCs.
		noRefreshTotal += timeTerraform(b, tf, snapDir, env, "-refresh=false")
	}
	b.StopTimer()
	snap, data := snapTotal.Seconds()/float64(b.N), dataTotal.Seconds()/float64(b.N)
	b.ReportMetric(noRefreshTotal.Seconds()/float64(b.N), "snapshot_plan_norefresh_s")
	b.ReportMetric(snap, "snapshot_plan_s")
	b.ReportMetric(data, "terraform_data_plan_s")
	b.ReportMetric(snap/data, "ratio")
	b.Logf("terraform plan over %d resources: flink_job_snapshot %.2fs, terraform_data %.2fs, ratio %.2f (target <= 1.5)",
		benchResources, snap, data, snap/data)
}

// terraformPath is the Terraform CLI the acceptance tests use (TF_ACC_TERRAFORM_PATH, set by make bench
// and make test), so the benchmark measures the same binary.
func terraformPath(b *testing.B) string {
	p := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if p == "" {
		b.Skip("set TF_ACC_TERRAFORM_PATH to a Terraform CLI (make tools builds one) to run this benchmark")
	}
	if _, err := os.Stat(p); err != nil {
		b.Fatalf("TF_ACC_TERRAFORM_PATH: %v", err)
	}
	return p
}

// runningDeployment makes a workspace, a namespace and a RUNNING deployment through the client.
func runningDeployment(b *testing.B, eng *acctest.Engine) string {
	c, err := client.New(client.Config{Endpoint: eng.Endpoint, Token: eng.AdminToken})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ws, err := c.CreateWorkspace(ctx, api.WorkspaceInput{Name: "bench", Region: "bench", Architecture: api.ArchX86,
		Storage: api.Storage{Type: api.StorageManaged}})
	if err != nil {
		b.Fatal(err)
	}
	ns, err := c.CreateNamespace(ctx, ws.ID, api.NamespaceInput{Name: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	dep, err := c.CreateDeployment(ctx, ns.ID, "bench", api.DeploymentSpec{Type: api.DeploymentSQL,
		EngineVersion: "vvr-8.0.9-flink-1.17", SQL: "SELECT 1",
		FlinkConfiguration: map[string]string{"local.state-bytes": "4kb", "local.records-per-second": "1000"}})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := c.StartDeployment(ctx, dep.ID, api.StartRequest{}); err != nil {
		b.Fatal(err)
	}
	if _, err := c.WaitForJobStatus(ctx, dep.ID, api.JobRunning); err != nil {
		b.Fatal(err)
	}
	return dep.ID
}

func writeConfig(b *testing.B, work, name, body string) string {
	dir := filepath.Join(work, name)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		b.Fatal(err)
	}
	main := `terraform {
  required_providers {
    flink = { source = "streamstate/flink" }
  }
}
` + body
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(main), 0o600); err != nil {
		b.Fatal(err)
	}
	return dir
}

func runTerraform(b *testing.B, tf, dir string, env []string, args ...string) {
	cmd := exec.Command(tf, append(args, "-no-color")...)
	cmd.Dir, cmd.Env = dir, env
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("terraform %s in %s: %v\n%s", strings.Join(args, " "), filepath.Base(dir), err, tail(out))
	}
}

// timeTerraform times one `terraform plan` (refresh included) that must find nothing to change.
func timeTerraform(b *testing.B, tf, dir string, env []string, extra ...string) time.Duration {
	start := time.Now()
	cmd := exec.Command(tf, append([]string{"plan", "-input=false", "-no-color", "-detailed-exitcode"}, extra...)...)
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.CombinedOutput()
	took := time.Since(start)
	if err != nil {
		b.Fatalf("terraform plan in %s (exit 2 means changes where none are expected): %v\n%s", filepath.Base(dir), err, tail(out))
	}
	return took
}

func tail(out []byte) string {
	if len(out) > 3000 {
		out = out[len(out)-3000:]
	}
	return string(out)
}
