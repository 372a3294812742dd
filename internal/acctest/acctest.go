package acctest

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/client"
	"github.com/streamstate/terraform-provider-flink/internal/enginetest"
	"github.com/streamstate/terraform-provider-flink/internal/pgtest"
	"github.com/streamstate/terraform-provider-flink/internal/provider"
)

// ProtoV6ProviderFactories serves the provider in-process to terraform-plugin-testing.
var ProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"flink": providerserver.NewProtocol6WithError(provider.New("acctest")()),
}

// Main is the TestMain of a provider test package: `func TestMain(m *testing.M) { acctest.Main(m) }`.
// Under TF_ACC it starts one engine for the package, sets FLINK_ENDPOINT and FLINK_TOKEN (admin) for the
// provider, runs the tests and stops the engine. Without TF_ACC it only runs the tests (acceptance tests
// skip themselves).
func Main(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if os.Getenv(resource.EnvTfAcc) == "" {
		return m.Run()
	}
	defer removeBuild()
	defer pgtest.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	eng, err := StartEngine(ctx)
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "acctest: cannot start flink-engine:", err)
		return 1
	}
	defer eng.Stop()
	// A -timeout panic runs no deferred code: stop the engine and remove its files shortly before.
	flag.Parse()
	if f := flag.Lookup("test.timeout"); f != nil {
		if d, err := time.ParseDuration(f.Value.String()); err == nil && d > 30*time.Second {
			time.AfterFunc(d-10*time.Second, func() { eng.Stop(); removeBuild() })
		}
	}
	os.Setenv(provider.EnvEndpoint, eng.Endpoint)
	os.Setenv(provider.EnvToken, eng.AdminToken)
	return m.Run()
}

// PreCheck skips the test without TF_ACC (as resource.Test does), so fixtures made before
// resource.ParallelTest are not attempted; under CI (CI=true) it fails instead, as the real parts must be
// exercised there. It fails the test when the harness did not set up an engine (TestMain must call
// acctest.Main).
func PreCheck(t *testing.T) {
	t.Helper()
	if os.Getenv(resource.EnvTfAcc) == "" {
		enginetest.SkipOutsideCI(t, "acceptance test: set %s=1 to run it against a real flink-engine", resource.EnvTfAcc)
	}
	if os.Getenv(provider.EnvEndpoint) == "" || os.Getenv(provider.EnvToken) == "" {
		t.Fatalf("%s and %s are not set: the package's TestMain must call acctest.Main(m) and tests run with TF_ACC=1",
			provider.EnvEndpoint, provider.EnvToken)
	}
}

// Endpoint is the engine's base URL.
func Endpoint() string { return os.Getenv(provider.EnvEndpoint) }

// Client returns a client authenticated with the admin token.
func Client(t *testing.T) *client.Client {
	t.Helper()
	return ClientWithToken(t, os.Getenv(provider.EnvToken))
}

// ClientWithToken returns a client authenticated with token.
func ClientWithToken(t *testing.T, token string) *client.Client {
	t.Helper()
	return newClient(t, Endpoint(), token)
}

func newClient(t *testing.T, endpoint, token string) *client.Client {
	t.Helper()
	c, err := client.New(client.Config{Endpoint: endpoint, Token: token, Version: "acctest",
		MaxRetries: client.DefaultMaxRetries})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Context returns a context for fixture calls, ended with the test.
func Context(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// ProviderConfig returns a provider block that authenticates with token instead of the admin token.
func ProviderConfig(token string) string {
	return fmt.Sprintf("provider \"flink\" {\n  token = %s\n}\n", strconv.Quote(token))
}

// IDFrom is a check that copies the id of the resource at addr (e.g. "flink_namespace.test") into dst, for
// later steps that act on it out of band.
func IDFrom(addr string, dst *string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[addr]
		if !ok {
			return fmt.Errorf("%s is not in the state", addr)
		}
		*dst = rs.Primary.ID
		return nil
	}
}

// CheckDestroyed returns a TestCase.CheckDestroy that asserts every resource of resourceType in the state is
// gone from the engine: get must answer not_found for its id.
func CheckDestroyed(resourceType string, get func(ctx context.Context, c *client.Client, id string) error) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		c, err := client.New(client.Config{Endpoint: Endpoint(), Token: os.Getenv(provider.EnvToken)})
		if err != nil {
			return err
		}
		for _, rs := range s.RootModule().Resources {
			if rs.Type != resourceType {
				continue
			}
			err := get(context.Background(), c, rs.Primary.ID)
			if err == nil {
				return fmt.Errorf("%s %s still exists after destroy", resourceType, rs.Primary.ID)
			}
			if !client.IsNotFound(err) {
				return fmt.Errorf("checking %s %s: %w", resourceType, rs.Primary.ID, err)
			}
		}
		return nil
	}
}

// CreateToken creates a token for user through the admin client; it is revoked when the test ends.
func CreateToken(t *testing.T, user string) api.Token {
	t.Helper()
	c := Client(t)
	tok, err := c.CreateToken(Context(t), api.TokenRequest{User: user, Description: "acceptance test " + t.Name()})
	if err != nil {
		t.Fatalf("creating a token for %s: %v", user, err)
	}
	t.Cleanup(func() { _ = c.DeleteToken(context.Background(), tok.ID) })
	return tok
}

// CreateWorkspace creates a managed-storage workspace in region "acc-region" through the admin client; it is
// deleted when the test ends (after the namespaces created later, cleanups running last-in first-out).
func CreateWorkspace(t *testing.T) api.Workspace {
	t.Helper()
	c := Client(t)
	ws, err := c.CreateWorkspace(Context(t), api.WorkspaceInput{Name: RandomName("acc-ws"), Region: "acc-region",
		Architecture: api.ArchX86, Storage: api.Storage{Type: api.StorageManaged}})
	if err != nil {
		t.Fatalf("creating a workspace: %v", err)
	}
	t.Cleanup(func() { _ = c.DeleteWorkspace(context.Background(), ws.ID) })
	return ws
}

// CreateNamespace creates a namespace in a workspace through the admin client; it is force-deleted when
// the test ends.
func CreateNamespace(t *testing.T, workspaceID string) api.Namespace {
	t.Helper()
	c := Client(t)
	ns, err := c.CreateNamespace(Context(t), workspaceID, api.NamespaceInput{Name: RandomName("acc-ns")})
	if err != nil {
		t.Fatalf("creating a namespace: %v", err)
	}
	t.Cleanup(func() { _ = c.DeleteNamespace(context.Background(), ns.ID, true) })
	return ns
}

// AddMember gives user a role (api.Role*) on a namespace through the admin client.
func AddMember(t *testing.T, namespaceID, user, role string) {
	t.Helper()
	if _, err := Client(t).PutMember(Context(t), namespaceID, user, api.MemberInput{Role: role}); err != nil {
		t.Fatalf("making %s %s of namespace %s: %v", user, role, namespaceID, err)
	}
}

// CreateViewer creates a user with a fresh token and the VIEWER role on a namespace, and returns the token.
func CreateViewer(t *testing.T, namespaceID string) api.Token {
	t.Helper()
	tok := CreateToken(t, RandomName("viewer"))
	AddMember(t, namespaceID, tok.User, api.RoleViewer)
	return tok
}
