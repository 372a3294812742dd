// Package provider is the Terraform provider "flink": it maps HCL onto the flink-engine API through
// internal/client.
package provider

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/streamstate/terraform-provider-flink/internal/client"
)

// Environment variables read when the provider block leaves a setting out.
const (
	EnvEndpoint = "FLINK_ENDPOINT"
	EnvToken    = "FLINK_TOKEN"
	// EnvLockTimeout is lock_timeout's default: a Go duration string.
	EnvLockTimeout = "FLINK_LOCK_TIMEOUT"
)

// Address is the provider's registry address.
const Address = "registry.terraform.io/streamstate/flink"

// resources lists every resource of the provider: one line each.
var resources = []func() resource.Resource{
	NewWorkspaceResource,
	NewNamespaceResource,
	NewNamespaceMemberResource,
	NewAPITokenResource,
	NewVariableResource,
	NewDeploymentResource,
	NewJobSnapshotResource,
	NewSnapshotPolicyResource,
	NewNamespaceCloneResource,
	NewFileResourceResource,
	NewCatalogResource,
	NewUDFResource,
	NewConnectorResource,
	NewFormatResource,
	NewDraftResource,
	NewSessionClusterResource,
}

// dataSources lists every data source of the provider: one line each.
var dataSources = []func() datasource.DataSource{
	NewNamespaceDataSource,
	NewDeploymentDataSource,
	NewCloneHistoryDataSource,
	NewCloneRenamesDataSource,
	NewJobStateSetsDataSource,
	NewFileResourceDataSource,
	NewCatalogDataSource,
}

// functions lists every provider-defined function: one line each.
var functions = []func() function.Function{
	NewCronNextFunction,
}

var (
	_ provider.Provider              = (*flinkProvider)(nil)
	_ provider.ProviderWithFunctions = (*flinkProvider)(nil)
)

type flinkProvider struct {
	version string
}

// New returns the provider factory for a build version (set by ldflags in main).
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &flinkProvider{version: version} }
}

type providerModel struct {
	Endpoint       types.String `tfsdk:"endpoint"`
	Token          types.String `tfsdk:"token"`
	CAFile         types.String `tfsdk:"ca_file"`
	MaxRetries     types.Int64  `tfsdk:"max_retries"`
	RequestTimeout types.String `tfsdk:"request_timeout"`
	LockTimeout    types.String `tfsdk:"lock_timeout"`
}

func (p *flinkProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "flink"
	resp.Version = p.version
}

func (p *flinkProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages workspaces, namespaces, objects, job state sets and namespace clones of a " +
			"`flink-engine`.",
		Attributes: map[string]schema.Attribute{
			"endpoint": schema.StringAttribute{
				MarkdownDescription: "Base URL of the flink-engine API, e.g. `http://127.0.0.1:8480`. " +
					"Defaults to the `FLINK_ENDPOINT` environment variable.",
				Optional: true,
			},
			"token": schema.StringAttribute{
				MarkdownDescription: "API token sent as a bearer token. Defaults to the `FLINK_TOKEN` environment variable.",
				Optional:            true,
				Sensitive:           true,
			},
			"ca_file": schema.StringAttribute{
				MarkdownDescription: "Path of a PEM file with the certificate authorities trusted for an `https` endpoint.",
				Optional:            true,
			},
			"max_retries": schema.Int64Attribute{
				MarkdownDescription: "How many times a call is retried after a connection error or a 429/502/503/504 " +
					"answer (`Retry-After` is honoured). Defaults to 4.",
				Optional:   true,
				Validators: []validator.Int64{int64validator.Between(0, 100)},
			},
			"request_timeout": schema.StringAttribute{
				MarkdownDescription: "Time limit of one HTTP attempt, as a Go duration string (`30s`, `2m`). Defaults to `30s`.",
				Optional:            true,
				Validators:          []validator.String{durationValidator{}},
			},
			"lock_timeout": schema.StringAttribute{
				MarkdownDescription: "How long a change waits for a running namespace clone that holds its namespace " +
					"(as source or target) to end, as a Go duration string (`5m`), like Terraform's own `-lock-timeout`. " +
					"The change is sent again with backoff until the clone has ended, then applied; each resource's " +
					"`timeouts` still bound the wait. A new `flink_namespace_clone` whose source or target namespace " +
					"is in another running clone waits the same way. Defaults to the `" + EnvLockTimeout + "` " +
					"environment variable, else `0s`: a locked change fails at once, naming the clone task.",
				Optional:   true,
				Validators: []validator.String{durationValidator{}},
			},
		},
	}
}

func (p *flinkProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if cfg.Endpoint.IsUnknown() || cfg.Token.IsUnknown() {
		if req.ClientCapabilities.DeferralAllowed {
			// A CLI with deferred actions plans what it can now and this provider's resources next round.
			resp.Deferred = &provider.Deferred{Reason: provider.DeferredReasonProviderConfigUnknown}
			return
		}
		resp.Diagnostics.AddError("Provider configuration not known yet",
			"The flink provider's endpoint or token depends on a value known only after apply, such as the token "+
				"of a flink_api_token in the same configuration. This Terraform cannot defer those resources: apply "+
				"in two steps, `terraform apply -target=flink_api_token.<name>` first and then `terraform apply`, or "+
				"keep the token in a configuration of its own (guide: \"Tokens for another provider configuration\"). "+
				"Values known at plan time (variables, FLINK_ENDPOINT/FLINK_TOKEN) need neither.")
		return
	}
	endpoint := stringOr(cfg.Endpoint, os.Getenv(EnvEndpoint))
	token := stringOr(cfg.Token, os.Getenv(EnvToken))
	if endpoint == "" {
		resp.Diagnostics.AddAttributeError(path.Root("endpoint"), "Missing flink-engine endpoint",
			"Set `endpoint` in the provider \"flink\" block or the "+EnvEndpoint+" environment variable to the "+
				"base URL of a running flink-engine, e.g. http://127.0.0.1:8480.")
	}
	if token == "" {
		resp.Diagnostics.AddAttributeError(path.Root("token"), "Missing flink-engine API token",
			"Set `token` in the provider \"flink\" block or the "+EnvToken+" environment variable to an API token "+
				"of the engine (the admin token, or one created with flink_api_token).")
	}
	if resp.Diagnostics.HasError() {
		return
	}
	clientCfg := client.Config{Endpoint: endpoint, Token: token, Version: p.version, TerraformVersion: req.TerraformVersion,
		CAFile: cfg.CAFile.ValueString(), MaxRetries: client.DefaultMaxRetries}
	if !cfg.MaxRetries.IsNull() {
		clientCfg.MaxRetries = int(cfg.MaxRetries.ValueInt64())
	}
	if !cfg.RequestTimeout.IsNull() {
		d, err := time.ParseDuration(cfg.RequestTimeout.ValueString())
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("request_timeout"), "Invalid request_timeout", err.Error())
			return
		}
		clientCfg.RequestTimeout = d
	}
	if v := stringOr(cfg.LockTimeout, os.Getenv(EnvLockTimeout)); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			resp.Diagnostics.AddAttributeError(path.Root("lock_timeout"), "Invalid lock_timeout",
				fmt.Sprintf("%q (from the provider block or %s) is not a duration of 0 or more: use a Go duration "+
					"string such as \"5m\" or \"30s\".", v, EnvLockTimeout))
			return
		}
		clientCfg.LockTimeout = d
	}
	c, err := client.New(clientCfg)
	if ce := (*client.ConfigError)(nil); errors.As(err, &ce) {
		resp.Diagnostics.AddAttributeError(path.Root(ce.Field), "Invalid flink provider "+ce.Field, err.Error())
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Invalid flink provider configuration", err.Error())
		return
	}

	// One short call proves the endpoint answers and the token is accepted, so a wrong setting fails here
	// with a message about the setting rather than later inside some resource.
	checkCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	who, err := c.WhoAmI(checkCtx)
	switch {
	case err == nil:
		tflog.Debug(ctx, "connected to flink-engine", map[string]any{"endpoint": c.Endpoint(), "user": who.User, "admin": who.Admin})
	case client.IsUnreachable(err) || checkCtx.Err() != nil:
		resp.Diagnostics.AddAttributeError(path.Root("endpoint"), "Cannot reach flink-engine",
			"No answer from "+c.Endpoint()+": "+err.Error()+". Check that flink-engine is running and that `endpoint` "+
				"(or "+EnvEndpoint+") is its base URL, e.g. http://127.0.0.1:8480; for https with a private CA set `ca_file`.")
		return
	case client.IsUnauthenticated(err):
		resp.Diagnostics.AddAttributeError(path.Root("token"), "flink-engine rejected the API token",
			"GET /api/v1/whoami answered: "+err.Error()+". Set `token` (or "+EnvToken+") to a valid, unrevoked token.")
		return
	default:
		resp.Diagnostics.AddError("flink-engine check failed", "GET /api/v1/whoami failed: "+err.Error())
		return
	}
	resp.ResourceData = c
	resp.DataSourceData = c
}

func (p *flinkProvider) Resources(context.Context) []func() resource.Resource { return resources }

func (p *flinkProvider) DataSources(context.Context) []func() datasource.DataSource {
	return dataSources
}

func (p *flinkProvider) Functions(context.Context) []func() function.Function { return functions }
