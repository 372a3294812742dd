package provider_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/streamstate/terraform-provider-flink/internal/acctest"
	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/client"
)

func sha256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func checkObjectsDestroyed(resourceType string) resource.TestCheckFunc {
	return acctest.CheckDestroyed(resourceType, func(ctx context.Context, c *client.Client, id string) error {
		_, err := c.GetObject(ctx, id)
		return err
	})
}

func fileResourceSourceConfig(nsID, source string) string {
	return fmt.Sprintf(`
resource "flink_file_resource" "test" {
  namespace_id = %q
  name         = "udfs.jar"
  source       = %q
}
`, nsID, source)
}

// engineFileSpec reads a file resource's spec from the engine.
func engineFileSpec(t *testing.T, id string) (api.FileResourceSpec, error) {
	obj, err := acctest.Client(t).GetObject(acctest.Context(t), id)
	if err != nil {
		return api.FileResourceSpec{}, err
	}
	return client.DecodeSpec[api.FileResourceSpec](obj)
}

// engineFileDigest checks that the engine holds bytes with the digest of want.
func engineFileDigest(t *testing.T, id *string, want []byte) resource.TestCheckFunc {
	return func(*terraformState) error {
		spec, err := engineFileSpec(t, *id)
		if err != nil {
			return err
		}
		if spec.SHA256 != sha256Hex(want) || spec.Size != int64(len(want)) {
			return fmt.Errorf("engine holds %d bytes with sha256 %s, want %d bytes with %s", spec.Size, spec.SHA256, len(want), sha256Hex(want))
		}
		return nil
	}
}

// A file resource is uploaded from a local file; changed bytes plan an update and upload again; an
// import restores source or content and plans nothing; the same bytes at a new path upload nothing;
// inline content replaces the file; a deletion outside Terraform is noticed.
func TestAccFileResource(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.CreateNamespace(t, acctest.CreateWorkspace(t).ID)
	const addr = "flink_file_resource.test"
	src := filepath.Join(t.TempDir(), "udfs.jar")
	first, second := []byte("PK first jar bytes"), []byte("PK second, longer jar bytes")
	write := func(b []byte) {
		if err := os.WriteFile(src, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(first)
	config := fileResourceSourceConfig(ns.ID, src)
	inline := fmt.Sprintf(`
resource "flink_file_resource" "test" {
  namespace_id = %q
  name         = "udfs.jar"
  content      = "inline text"
}
`, ns.ID)
	moved := filepath.Join(t.TempDir(), "moved.jar")
	var id, location string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkObjectsDestroyed("flink_file_resource"),
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: resource.ComposeAggregateTestCheckFunc(
					acctest.IDFrom(addr, &id),
					resource.TestCheckResourceAttr(addr, "sha256", sha256Hex(first)),
					resource.TestCheckResourceAttr(addr, "size", strconv.Itoa(len(first))),
					engineFileDigest(t, &id, first),
				),
			},
			{
				// New bytes at the same path: the plan shows the new digest and the apply uploads them.
				PreConfig: func() { write(second) },
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("sha256"), knownvalue.StringExact(sha256Hex(second))),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(addr, "sha256", sha256Hex(second)),
					engineFileDigest(t, &id, second),
					func(*terraformState) error {
						location = engineFileLocation(t, id)
						return nil
					},
				),
			},
			{
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			// The engine records where the bytes came from: an import gives source back, and the
			// plan is empty.
			acctest.ImportBlockStep(addr,
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("source"), knownvalue.StringExact(src)),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("sha256"), knownvalue.StringExact(sha256Hex(second)))),
			{
				ResourceName:            addr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
			{
				// The same bytes at another path: the engine records the new path, nothing is uploaded,
				// and an import then gives the new path back.
				PreConfig: func() {
					if err := os.WriteFile(moved, second, 0o600); err != nil {
						t.Fatal(err)
					}
				},
				Config: fileResourceSourceConfig(ns.ID, moved),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				Check: notUploadedAgain(t, &id, &location),
			},
			acctest.ImportBlockStep(addr,
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("source"), knownvalue.StringExact(moved))),
			{
				Config: inline,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(addr, "sha256", sha256Hex([]byte("inline text"))),
					resource.TestCheckNoResourceAttr(addr, "source"),
					engineFileDigest(t, &id, []byte("inline text")),
				),
			},
			// Inline bytes: an import fetches the content from the engine, and the plan is empty.
			acctest.ImportBlockStep(addr,
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("content"), knownvalue.StringExact("inline text")),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("source"), knownvalue.Null())),
			{
				PreConfig: func() {
					if err := acctest.Client(t).DeleteObject(acctest.Context(t), id); err != nil {
						t.Fatal(err)
					}
				},
				Config: inline,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate),
				}},
			},
		},
	})
}

// engineFileLocation is where the engine keeps a file resource's current bytes: every upload gets a new one.
func engineFileLocation(t *testing.T, id string) string {
	t.Helper()
	spec, err := engineFileSpec(t, id)
	if err != nil || spec.Location == "" {
		t.Fatalf("file resource %s has no location (%v)", id, err)
	}
	return spec.Location
}

// notUploadedAgain checks that the file resource's bytes are still at *location: an apply that only
// recorded where they came from did not upload them again.
func notUploadedAgain(t *testing.T, id, location *string) resource.TestCheckFunc {
	return func(*terraformState) error {
		if now := engineFileLocation(t, *id); now != *location {
			return fmt.Errorf("the bytes moved from %s to %s: the same bytes were uploaded again", *location, now)
		}
		return nil
	}
}

// A file resource uploaded by other means has no recorded origin: importing it plans an update, which
// records the configuration's origin without uploading the same bytes again; an import then plans nothing.
func TestAccFileResourceImportOfBytesUploadedElsewhere(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.CreateNamespace(t, acctest.CreateWorkspace(t).ID)
	const addr = "flink_file_resource.test"
	in, err := client.ObjectInputFor("conf.yaml", api.FileResourceSpec{Content: []byte("a: 1\n")}, 0)
	if err != nil {
		t.Fatal(err)
	}
	obj, err := acctest.Client(t).CreateObject(acctest.Context(t), ns.ID, api.KindFileResource, in)
	if err != nil {
		t.Fatal(err)
	}
	location := engineFileLocation(t, obj.ID)
	config := fmt.Sprintf("resource \"flink_file_resource\" \"test\" {\n  namespace_id = %q\n  name = \"conf.yaml\"\n  content = \"a: 1\\n\"\n}\n", ns.ID)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		// The import is a block in the first step's configuration: OpenTofu resolves the provider from its
		// registry when the first step is an import step.
		Steps: []resource.TestStep{
			{
				Config: fmt.Sprintf("import {\n  to = %s\n  id = %q\n}\n%s", addr, obj.ID, config),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				Check: notUploadedAgain(t, &obj.ID, &location),
			},
			{
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			acctest.ImportBlockStep(addr,
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("content"), knownvalue.StringExact("a: 1\n"))),
		},
	})
}

// Plan-time checks: exactly one of source and content, a readable source, source_hash only with source.
func TestAccFileResourcePlanTimeChecks(t *testing.T) {
	acctest.PreCheck(t)
	block := func(body string) string {
		return "resource \"flink_file_resource\" \"test\" {\n  namespace_id = \"ns-x\"\n  name = \"a.jar\"\n" + body + "}\n"
	}
	missing := filepath.Join(t.TempDir(), "missing.jar")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: block(""), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)Missing source or content.*Set source`)},
			{Config: block("source = \"a\"\ncontent = \"b\"\n"), PlanOnly: true, ExpectError: regexp.MustCompile(`Both source and content are set`)},
			{Config: block("content = \"b\"\nsource_hash = \"x\"\n"), PlanOnly: true, ExpectError: regexp.MustCompile(`source_hash without source`)},
			{Config: block("source = " + strconv.Quote(missing) + "\n"), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)Cannot read source.*missing\.jar`)},
		},
	})
}

// A name that already exists is not taken over: create fails and says to import it.
func TestAccFileResourceCreateRefusesAnExistingName(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.CreateNamespace(t, acctest.CreateWorkspace(t).ID)
	existing, err := acctest.Client(t).UploadFileResourceContent(acctest.Context(t), ns.ID, "udfs.jar", []byte("theirs"))
	if err != nil {
		t.Fatal(err)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      fmt.Sprintf("resource \"flink_file_resource\" \"test\" {\n  namespace_id = %q\n  name = \"udfs.jar\"\n  content = \"mine\"\n}\n", ns.ID),
			ExpectError: regexp.MustCompile(`(?s)already has a file resource named\s+"udfs.jar".*import`),
			Check: func(*terraformState) error {
				return engineFileDigest(t, &existing.ID, []byte("theirs"))(nil)
			},
		}},
	})
	if err := engineFileDigest(t, &existing.ID, []byte("theirs"))(nil); err != nil {
		t.Fatalf("the refused create must leave the existing file alone: %v", err)
	}
}

// An id of another kind is refused on import (a plan that replaced it would delete that object).
func TestAccFileResourceImportOfAnotherKindFails(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.CreateNamespace(t, acctest.CreateWorkspace(t).ID)
	v, err := acctest.Client(t).CreateVariable(acctest.Context(t), ns.ID, "v", api.VariableSpec{Value: "x"})
	if err != nil {
		t.Fatal(err)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf("import {\n  to = flink_file_resource.test\n  id = %q\n}\n"+
				"resource \"flink_file_resource\" \"test\" {\n  namespace_id = %q\n  name = \"v\"\n  content = \"x\"\n}\n", v.ID, ns.ID),
			ExpectError: regexp.MustCompile(`(?s)Wrong kind of object for flink_file_resource.*flink_variable`),
		}},
	})
}
