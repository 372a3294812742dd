package provider

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"time"
	"unicode/utf8"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/client"
)

// defaultUploadTimeout bounds a file upload when `timeouts` leaves it out.
const defaultUploadTimeout = 20 * time.Minute

type fileResourceModel struct {
	objectBase
	Source     types.String   `tfsdk:"source"`
	SourceHash types.String   `tfsdk:"source_hash"`
	Content    types.String   `tfsdk:"content"`
	Size       types.Int64    `tfsdk:"size"`
	SHA256     types.String   `tfsdk:"sha256"`
	Timeouts   timeouts.Value `tfsdk:"timeouts"`
}

// NewFileResourceResource is the flink_file_resource resource.
func NewFileResourceResource() resource.Resource {
	return newObjectResource[fileResourceModel](objectKind[fileResourceModel]{
		typeName: "file_resource", kind: api.KindFileResource,
		description: "A file of a namespace, such as the JAR of a deployment, UDF or connector, stored in the " +
			"namespace's storage. Its bytes come from a local file (`source`), streamed to the engine without being " +
			"held in memory, or from `content`. The provider hashes them at plan time, so changed bytes plan an " +
			"update that uploads them again. A JAR deployment (`jar.uri`), a `flink_udf` or a `flink_connector` " +
			"(`file_resource_id`) reference it by `id`; while one does, the engine refuses to delete it and names the " +
			"user.\n\nThe engine records where the bytes came from (`source` and `source_hash`, or that they were " +
			"inline `content`) with them, so an import restores these attributes and plans nothing. A file resource " +
			"uploaded by other means has no such record: the first apply after its import records it, without " +
			"uploading again when the bytes are the same.",
		attributes: map[string]schema.Attribute{
			"source": schema.StringAttribute{
				MarkdownDescription: "Path of a local file to upload. Exactly one of `source` and `content` is set.",
				Optional:            true,
			},
			"source_hash": schema.StringAttribute{
				MarkdownDescription: "Any string, typically `filesha256(<source>)`; a change uploads the file again. " +
					"Not needed to notice changed bytes (the provider hashes `source` at plan time), but it makes the " +
					"cause of an upload visible in the plan. Only with `source`.",
				Optional: true,
			},
			"content": schema.StringAttribute{
				MarkdownDescription: "The file's content as a string (UTF-8), for small text files. Exactly one of " +
					"`source` and `content` is set.",
				Optional: true,
			},
			"size": schema.Int64Attribute{
				MarkdownDescription: "Size of the stored file in bytes.",
				Computed:            true,
			},
			"sha256": schema.StringAttribute{
				MarkdownDescription: "SHA-256 of the stored file, in hex.",
				Computed:            true,
			},
		},
		blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(context.Background(), timeouts.Opts{Create: true, Update: true}),
		},
		read:     readFileResource,
		refresh:  fetchInlineContent,
		write:    uploadFileResource,
		validate: validateFileResource,
		modifyPlan: func(_ context.Context, plan, state *fileResourceModel, diags *diag.Diagnostics) {
			planFileDigest(plan, state, diags)
		},
		timeout: func(ctx context.Context, m *fileResourceModel, create bool) (context.Context, context.CancelFunc, diag.Diagnostics) {
			d, diags := m.Timeouts.Update(ctx, defaultUploadTimeout)
			if create {
				d, diags = m.Timeouts.Create(ctx, defaultUploadTimeout)
			}
			ctx, cancel := context.WithTimeout(ctx, d)
			return ctx, cancel, diags
		},
	})
}

// readFileResource reads the digest and, when the engine recorded it, where the bytes came from. Without
// that record (bytes uploaded by other means) source, source_hash and content stay as they were.
func readFileResource(o api.Object, m *fileResourceModel) error {
	spec, err := client.DecodeSpec[api.FileResourceSpec](o)
	if err != nil {
		return err
	}
	m.Size, m.SHA256 = types.Int64Value(spec.Size), types.StringValue(spec.SHA256)
	switch origin := spec.Origin; {
	case origin == nil:
	case origin.Inline:
		// content itself is kept from the state, or fetched by fetchInlineContent after an import.
		m.Source, m.SourceHash = types.StringNull(), types.StringNull()
	default:
		m.Source, m.SourceHash, m.Content = types.StringValue(origin.Source), stringOrNull(origin.SourceHash), types.StringNull()
	}
	return nil
}

// maxFetchedContent bounds the inline content fetched after an import; larger content is left to the
// first apply, which records it without uploading the same bytes again.
const maxFetchedContent = 1 << 20

// fetchInlineContent fills in content after an import of a file resource whose bytes were given inline:
// the engine keeps the bytes, not a copy of the text in the object.
func fetchInlineContent(ctx context.Context, c *client.Client, o api.Object, m *fileResourceModel) error {
	spec, err := client.DecodeSpec[api.FileResourceSpec](o)
	if err != nil || spec.Origin == nil || !spec.Origin.Inline || !m.Content.IsNull() || spec.Size > maxFetchedContent {
		return err
	}
	data, err := c.DownloadFileResource(ctx, o.NamespaceID, o.Name)
	if err != nil {
		return err
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) == spec.SHA256 && utf8.Valid(data) {
		m.Content = types.StringValue(string(data))
	}
	return nil
}

// originOf is where the plan takes the bytes from, as the engine records it.
func originOf(m *fileResourceModel) api.FileOrigin {
	if !m.Content.IsNull() {
		return api.FileOrigin{Inline: true}
	}
	return api.FileOrigin{Source: m.Source.ValueString(), SourceHash: m.SourceHash.ValueString()}
}

func validateFileResource(_ context.Context, m *fileResourceModel, diags *diag.Diagnostics) {
	hasSource, hasContent := !m.Source.IsNull(), !m.Content.IsNull()
	switch {
	case hasSource && hasContent:
		diags.AddAttributeError(path.Root("content"), "Both source and content are set",
			"A file resource takes its bytes from source (a local file) or from content, not both: remove one.")
	case !hasSource && !hasContent:
		diags.AddAttributeError(path.Root("source"), "Missing source or content",
			"Set source to the path of a local file, or content to the file's text.")
	case hasContent && !m.SourceHash.IsNull():
		diags.AddAttributeError(path.Root("source_hash"), "source_hash without source",
			"source_hash marks a change of the file at source; with content, changes show by themselves: remove source_hash.")
	}
}

// planFileDigest plans size and sha256 from the bytes at hand: the state's values when the bytes are
// unchanged, the new ones when they changed (so the plan shows why the file is uploaded), unknown when
// the source is not known yet.
func planFileDigest(plan, state *fileResourceModel, diags *diag.Diagnostics) {
	var size int64
	var sum string
	switch {
	case !plan.Content.IsNull() && !plan.Content.IsUnknown():
		h := sha256.Sum256([]byte(plan.Content.ValueString()))
		size, sum = int64(len(plan.Content.ValueString())), hex.EncodeToString(h[:])
	case !plan.Source.IsNull() && !plan.Source.IsUnknown():
		var err error
		if size, sum, err = fileDigest(plan.Source.ValueString()); err != nil {
			diags.AddAttributeError(path.Root("source"), "Cannot read source",
				fmt.Sprintf("%v: set source to a readable local file (paths are relative to where terraform runs).", err))
			return
		}
	default:
		plan.Size, plan.SHA256 = types.Int64Unknown(), types.StringUnknown()
		return
	}
	if state != nil && state.SHA256.ValueString() == sum && state.Size.ValueInt64() == size {
		plan.Size, plan.SHA256 = state.Size, state.SHA256
		return
	}
	plan.Size, plan.SHA256 = types.Int64Value(size), types.StringValue(sum)
}

func fileDigest(name string) (int64, string, error) {
	f, err := os.Open(name)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return 0, "", fmt.Errorf("read %s: %w", name, err)
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

// uploadFileResource sends the bytes with the streaming upload. The upload names the object, so a create
// first makes sure the name is free: it must not take over a file resource Terraform does not manage.
// An update whose bytes the engine already holds (an import, a new source path with the same file)
// uploads nothing.
func uploadFileResource(ctx context.Context, c *client.Client, state, plan *fileResourceModel, version int64) (api.Object, error) {
	nsID, name := plan.NamespaceID.ValueString(), plan.Name.ValueString()
	if state == nil {
		found, err := c.ListObjects(ctx, nsID, api.KindFileResource, name)
		if err != nil {
			return api.Object{}, err
		}
		if len(found) > 0 {
			return api.Object{}, fmt.Errorf("namespace %s already has a file resource named %q: import it "+
				"(import { to = flink_file_resource.<name>, id = %q }) or choose another name", nsID, name, found[0].ID)
		}
	} else if !plan.SHA256.IsUnknown() && plan.SHA256.Equal(state.SHA256) && plan.SourceHash.Equal(state.SourceHash) {
		// The engine holds these bytes: record the plan's origin if it names them differently (a new
		// path, content instead of a file, an import of bytes uploaded by other means).
		obj, err := c.GetObject(ctx, state.ID.ValueString())
		if err != nil {
			return obj, err
		}
		want := originOf(plan)
		if spec, err := client.DecodeSpec[api.FileResourceSpec](obj); err == nil && spec.Origin != nil && *spec.Origin == want {
			return obj, nil
		}
		return c.SetFileResourceOrigin(ctx, obj.ID, want, version)
	}
	var obj api.Object
	var err error
	if !plan.Content.IsNull() {
		obj, err = c.UploadFileResourceContent(ctx, nsID, name, []byte(plan.Content.ValueString()))
	} else {
		obj, err = c.UploadFileResource(ctx, nsID, name, plan.Source.ValueString(), plan.SourceHash.ValueString())
	}
	if err != nil {
		return obj, err
	}
	if spec, derr := client.DecodeSpec[api.FileResourceSpec](obj); derr == nil && !plan.SHA256.IsUnknown() && spec.SHA256 != plan.SHA256.ValueString() {
		return obj, fmt.Errorf("the file at source changed between plan and apply (planned sha256 %s, uploaded %s): "+
			"the new bytes are stored; run terraform apply again to record them", plan.SHA256.ValueString(), spec.SHA256)
	}
	return obj, nil
}
