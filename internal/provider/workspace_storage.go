package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/streamstate/terraform-provider-flink/internal/api"
)

// storageModel is a workspace's `storage = { ... }`.
type storageModel struct {
	Type            types.String `tfsdk:"type"`
	Endpoint        types.String `tfsdk:"endpoint"`
	Region          types.String `tfsdk:"region"`
	Bucket          types.String `tfsdk:"bucket"`
	Prefix          types.String `tfsdk:"prefix"`
	PathStyle       types.Bool   `tfsdk:"path_style"`
	AccessKeyID     types.String `tfsdk:"access_key_id"`
	SecretAccessKey types.String `tfsdk:"secret_access_key"`
}

var storageAttrTypes = map[string]attr.Type{
	"type": types.StringType, "endpoint": types.StringType, "region": types.StringType,
	"bucket": types.StringType, "prefix": types.StringType, "path_style": types.BoolType,
	"access_key_id": types.StringType, "secret_access_key": types.StringType,
}

// managedStorage is the default storage: the engine's own.
func managedStorage() types.Object {
	return types.ObjectValueMust(storageAttrTypes, map[string]attr.Value{
		"type": types.StringValue(api.StorageManaged), "endpoint": types.StringNull(), "region": types.StringNull(),
		"bucket": types.StringNull(), "prefix": types.StringNull(), "path_style": types.BoolValue(false),
		"access_key_id": types.StringNull(), "secret_access_key": types.StringNull(),
	})
}

func ossOnly(desc string) string {
	return desc + " Only with `type = \"oss\"`."
}

func storageSchema() schema.SingleNestedAttribute {
	nonEmpty := []validator.String{stringvalidator.LengthAtLeast(1)}
	return schema.SingleNestedAttribute{
		MarkdownDescription: "Where the workspace keeps state bytes (checkpoints, snapshots, file resources). " +
			"Defaults to `{ type = \"managed\" }`.",
		Optional: true,
		Computed: true,
		Default:  objectdefault.StaticValue(managedStorage()),
		Attributes: map[string]schema.Attribute{
			"type": schema.StringAttribute{
				MarkdownDescription: "`managed` (the engine's storage) or `oss` (your S3-compatible bucket: Alibaba " +
					"OSS, AWS S3, MinIO). Changing it replaces the workspace.",
				Required:      true,
				Validators:    []validator.String{stringvalidator.OneOf(api.StorageManaged, api.StorageOSS)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"endpoint": schema.StringAttribute{MarkdownDescription: ossOnly("S3 endpoint URL of the bucket."),
				Optional: true, Validators: nonEmpty},
			"region": schema.StringAttribute{MarkdownDescription: ossOnly("Region of the bucket."),
				Optional: true, Validators: nonEmpty},
			"bucket": schema.StringAttribute{MarkdownDescription: ossOnly("Bucket name; required for `oss`."),
				Optional: true, Validators: nonEmpty},
			"prefix": schema.StringAttribute{MarkdownDescription: ossOnly("Key prefix inside the bucket."),
				Optional: true, Validators: nonEmpty},
			"path_style": schema.BoolAttribute{MarkdownDescription: ossOnly("Use path-style bucket addressing (MinIO). Defaults to `false`."),
				Optional: true, Computed: true, Default: booldefault.StaticBool(false)},
			"access_key_id": schema.StringAttribute{MarkdownDescription: ossOnly("Access key id for the bucket."),
				Optional: true, Validators: nonEmpty},
			"secret_access_key": schema.StringAttribute{
				MarkdownDescription: ossOnly("Secret access key for the bucket. Write-only on the engine side: it is " +
					"never read back, so changes made outside Terraform are not detected and an import leaves it empty."),
				Optional: true, Sensitive: true, Validators: nonEmpty},
		},
	}
}

// validateStorage checks at plan time what the schema alone cannot: which fields go with which type.
func validateStorage(ctx context.Context, obj types.Object, secretWO types.String, diags *diag.Diagnostics) {
	managedSecret := func() {
		if !secretWO.IsNull() {
			diags.AddAttributeError(path.Root("storage_secret_access_key_wo"), "Setting not allowed with managed storage",
				"storage_secret_access_key_wo only applies to storage.type = \"oss\": remove it, or set type = \"oss\".")
		}
	}
	if obj.IsNull() { // the default: managed storage
		managedSecret()
		return
	}
	if obj.IsUnknown() {
		return
	}
	var s storageModel
	diags.Append(obj.As(ctx, &s, basetypes.ObjectAsOptions{UnhandledUnknownAsEmpty: true})...)
	if diags.HasError() || s.Type.IsUnknown() {
		return
	}
	at := func(name string) path.Path { return path.Root("storage").AtName(name) }
	switch s.Type.ValueString() {
	case api.StorageManaged:
		managedSecret()
		for name, v := range map[string]types.String{"endpoint": s.Endpoint, "region": s.Region, "bucket": s.Bucket,
			"prefix": s.Prefix, "access_key_id": s.AccessKeyID, "secret_access_key": s.SecretAccessKey} {
			if !v.IsNull() {
				diags.AddAttributeError(at(name), "Setting not allowed with managed storage",
					"storage."+name+" only applies to storage.type = \"oss\": remove it, or set type = \"oss\".")
			}
		}
	case api.StorageOSS:
		if s.Endpoint.IsNull() {
			diags.AddAttributeError(at("endpoint"), "Missing storage.endpoint",
				"storage.type = \"oss\" needs the S3 endpoint URL of the bucket (for example "+
					"https://oss-eu-central-1.aliyuncs.com or https://s3.eu-central-1.amazonaws.com): set storage.endpoint.")
		}
		if s.Bucket.IsNull() {
			diags.AddAttributeError(at("bucket"), "Missing storage.bucket",
				"storage.type = \"oss\" needs the bucket that will hold the state: set storage.bucket.")
		}
		if s.AccessKeyID.IsNull() != (s.SecretAccessKey.IsNull() && secretWO.IsNull()) {
			diags.AddAttributeError(at("access_key_id"), "Incomplete bucket credentials",
				"Set both storage.access_key_id and storage.secret_access_key (or storage_secret_access_key_wo), or neither.")
		}
	}
}

func storageToAPI(ctx context.Context, obj types.Object, diags *diag.Diagnostics) api.Storage {
	var s storageModel
	diags.Append(obj.As(ctx, &s, basetypes.ObjectAsOptions{})...)
	return api.Storage{
		Type: s.Type.ValueString(), Endpoint: s.Endpoint.ValueString(), Region: s.Region.ValueString(),
		Bucket: s.Bucket.ValueString(), Prefix: s.Prefix.ValueString(), PathStyle: s.PathStyle.ValueBool(),
		AccessKeyID: s.AccessKeyID.ValueString(), SecretAccessKey: s.SecretAccessKey.ValueString(),
	}
}

// storageFromAPI builds the state value. The engine never returns the secret, so the one Terraform
// already knows is kept (drift of the secret cannot be seen).
func storageFromAPI(s api.Storage, knownSecret types.String) types.Object {
	secret := types.StringNull()
	if s.Type == api.StorageOSS && !knownSecret.IsUnknown() {
		secret = knownSecret
	}
	return types.ObjectValueMust(storageAttrTypes, map[string]attr.Value{
		"type": types.StringValue(s.Type), "endpoint": stringOrNull(s.Endpoint), "region": stringOrNull(s.Region),
		"bucket": stringOrNull(s.Bucket), "prefix": stringOrNull(s.Prefix), "path_style": types.BoolValue(s.PathStyle),
		"access_key_id": stringOrNull(s.AccessKeyID), "secret_access_key": secret,
	})
}

// secretOf returns the secret_access_key inside a storage value (null when absent).
func secretOf(ctx context.Context, obj types.Object) types.String {
	if obj.IsNull() || obj.IsUnknown() {
		return types.StringNull()
	}
	var s storageModel
	if diags := obj.As(ctx, &s, basetypes.ObjectAsOptions{}); diags.HasError() {
		return types.StringNull()
	}
	return s.SecretAccessKey
}
