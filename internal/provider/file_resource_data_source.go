package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/client"
)

// NewFileResourceDataSource is the flink_file_resource data source.
func NewFileResourceDataSource() datasource.DataSource {
	return newObjectLookup[fileResourceDataModel](lookupKind[fileResourceDataModel]{
		typeName: "file_resource", kind: api.KindFileResource,
		description: "Looks up a file resource of a namespace by name — one uploaded by another configuration or " +
			"copied by a clone — so that a JAR deployment (`jar.uri`), a UDF or a connector can reference its `id`.",
		attributes: map[string]schema.Attribute{
			"size":   schema.Int64Attribute{MarkdownDescription: "Size of the stored file in bytes.", Computed: true},
			"sha256": schema.StringAttribute{MarkdownDescription: "SHA-256 of the stored file, in hex.", Computed: true},
		},
		read: func(o api.Object, m *fileResourceDataModel) error {
			spec, err := client.DecodeSpec[api.FileResourceSpec](o)
			m.Size, m.SHA256 = types.Int64Value(spec.Size), types.StringValue(spec.SHA256)
			return err
		},
	})
}

type fileResourceDataModel struct {
	objectBase
	Size   types.Int64  `tfsdk:"size"`
	SHA256 types.String `tfsdk:"sha256"`
}
