package provider_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/acctest"
	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/client"
)

// rounds is how many back-to-back plans of each kind one benchmark iteration times at n resources; the
// median of each is reported, as one plan on a shared machine moves by tens of percent. At 1,000 one
// round keeps make bench within its time.
func rounds(n int) int {
	if n >= 1000 {
		return 1
	}
	return 3
}

// BenchmarkPlanSnapshots times `terraform plan` (refresh included) over 300 and over 1,000
// flink_job_snapshot resources against as many noop_thing resources of internal/provider/benchnoop, a
// plugin built with the same framework that does nothing, in one run against one engine, and reports
// both medians and their ratio (target <= 1.2, issue #14), and the same without refresh. It builds both
// plugins, points Terraform at them with dev_overrides, applies each configuration once, then times
// plans. FLINK_PROVIDER_CPUPROFILE=<prefix> in the environment makes each provider process write a CPU
// profile (main.go).
func BenchmarkPlanSnapshots(b *testing.B) {
	tf := terraformPath(b)
	ctx := context.Background()
	eng, err := acctest.StartEngine(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer eng.Stop()
	work := b.TempDir()
	bin := filepath.Join(work, "bin")
	for name, pkg := range map[string]string{
		"terraform-provider-flink": "github.com/streamstate/terraform-provider-flink",
		"terraform-provider-noop":  "github.com/streamstate/terraform-provider-flink/internal/provider/benchnoop",
	} {
		if out, err := exec.Command("go", "build", "-o", filepath.Join(bin, name), pkg).CombinedOutput(); err != nil {
			b.Fatalf("building %s: %v\n%s", pkg, err, out)
		}
	}
	cliConfig := filepath.Join(work, "terraformrc")
	if err := os.WriteFile(cliConfig, []byte(fmt.Sprintf(`provider_installation {
  dev_overrides {
    "streamstate/flink" = %q
    "streamstate/noop"  = %q
  }
  direct {}
}
`, bin, bin)), 0o600); err != nil {
		b.Fatal(err)
	}
	env := append(os.Environ(), "TF_CLI_CONFIG_FILE="+cliConfig, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1",
		"FLINK_ENDPOINT="+eng.Endpoint, "FLINK_TOKEN="+eng.AdminToken)
	depID := runningDeployment(b, eng)

	for _, n := range []int{300, 1000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			snapDir := writeConfig(b, work, fmt.Sprintf("snapshots-%d", n), fmt.Sprintf(`
resource "flink_job_snapshot" "s" {
  count         = %d
  deployment_id = %q
  description   = "bench ${count.index}"
}
`, n, depID))
			noopDir := writeConfig(b, work, fmt.Sprintf("noop-%d", n), fmt.Sprintf(`
resource "noop_thing" "d" {
  count = %d
  input = "bench ${count.index}"
}
`, n))
			shapeDir := writeConfig(b, work, fmt.Sprintf("shape-%d", n), fmt.Sprintf(`
resource "noop_snapshot_shape" "s" {
  count         = %d
  deployment_id = %q
  description   = "bench ${count.index}"
}
`, n, depID))
			for _, dir := range []string{snapDir, noopDir, shapeDir} {
				// The apply is setup, not measured: more parallelism than Terraform's 10 shortens it.
				runTerraform(b, tf, dir, env, "apply", "-auto-approve", "-input=false", "-parallelism=50")
			}
			var snap, noop, shape, snapNoRefresh, noopNoRefresh, snapCPU, noopCPU, shapeCPU []float64
			for b.Loop() {
				for range rounds(n) {
					wall, cpu := timeTerraform(b, tf, snapDir, env)
					snap, snapCPU = append(snap, wall), append(snapCPU, cpu)
					wall, cpu = timeTerraform(b, tf, noopDir, env)
					noop, noopCPU = append(noop, wall), append(noopCPU, cpu)
					wall, cpu = timeTerraform(b, tf, shapeDir, env)
					shape, shapeCPU = append(shape, wall), append(shapeCPU, cpu)
					// Without refresh no engine call is made: what is left is Terraform and the plugin's RPCs.
					wall, _ = timeTerraform(b, tf, snapDir, env, "-refresh=false")
					snapNoRefresh = append(snapNoRefresh, wall)
					wall, _ = timeTerraform(b, tf, noopDir, env, "-refresh=false")
					noopNoRefresh = append(noopNoRefresh, wall)
				}
			}
			s, d, sh := median(snap), median(noop), median(shape)
			b.ReportMetric(s, "snapshot_plan_s")
			b.ReportMetric(d, "noop_plan_s")
			b.ReportMetric(s/d, "plan/noop")
			b.ReportMetric(median(snapNoRefresh)/median(noopNoRefresh), "norefresh_plan/noop")
			b.ReportMetric(sh/d, "shape_plan/noop")
			b.ReportMetric(median(snapCPU)/median(noopCPU), "plan_cpu/noop_cpu")
			b.Logf("terraform plan over %d resources: flink_job_snapshot %.2fs, noop_thing %.2fs, ratio %.2f (target <= 1.2); "+
				"noop_snapshot_shape %.2fs; without refresh %.2fs vs %.2fs; CPU of Terraform and plugins %.2fs vs %.2fs (shape %.2fs)",
				n, s, d, s/d, sh, median(snapNoRefresh), median(noopNoRefresh), median(snapCPU), median(noopCPU), median(shapeCPU))
		})
	}
}

func median(xs []float64) float64 {
	xs = slices.Clone(xs)
	slices.Sort(xs)
	return xs[len(xs)/2]
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
    noop  = { source = "streamstate/noop" }
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

// timeTerraform runs one `terraform plan` (with refresh unless extra says otherwise) that must find
// nothing to change, and returns its wall time and the CPU time of Terraform and the plugins it ran
// (wait4 counts the children a process reaped), both in seconds: on a shared machine the CPU time moves
// less than the wall time.
func timeTerraform(b *testing.B, tf, dir string, env []string, extra ...string) (wall, cpu float64) {
	start := time.Now()
	cmd := exec.Command(tf, append([]string{"plan", "-input=false", "-no-color", "-detailed-exitcode"}, extra...)...)
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.CombinedOutput()
	took := time.Since(start)
	if err != nil {
		b.Fatalf("terraform plan in %s (exit 2 means changes where none are expected): %v\n%s", filepath.Base(dir), err, tail(out))
	}
	return took.Seconds(), (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()
}

func tail(out []byte) string {
	if len(out) > 3000 {
		out = out[len(out)-3000:]
	}
	return string(out)
}
