package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/streamstate/terraform-provider-flink/internal/api"
)

// NewCatalogDataSource is the flink_catalog data source.
func NewCatalogDataSource() datasource.DataSource {
	return newObjectLookup[catalogModel](lookupKind[catalogModel]{
		typeName: "catalog", kind: api.KindCatalog,
		description: "Looks up a catalog of a namespace by name — for example the copy a clone made (perhaps " +
			"renamed: see `flink_clone_renames`), to compare it with the source or map job code onto it.",
		attributes: map[string]schema.Attribute{
			"type": schema.StringAttribute{MarkdownDescription: "Catalog type, such as `paimon`.", Computed: true},
			"properties": schema.MapAttribute{MarkdownDescription: "String properties of the catalog.",
				ElementType: types.StringType, Computed: true},
		},
		read: func(o api.Object, m *catalogModel) error { return readTyped(o, &m.typedSpecModel) },
	})
}
