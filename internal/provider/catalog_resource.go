package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/client"
)

// NewCatalogResource is the flink_catalog resource.
func NewCatalogResource() resource.Resource {
	return newObjectResource[catalogModel](objectKind[catalogModel]{
		typeName: "catalog", kind: api.KindCatalog,
		description: "A custom catalog of a namespace: its type (such as `paimon`, `hive` or `jdbc`) and the " +
			"properties that configure it. A namespace clone copies catalogs; catalog names referenced in job code " +
			"are not rewritten (the clone lists them).",
		attributes: typedAttributes("catalog", "Catalog type, such as `paimon`, `hive` or `jdbc`.", true),
		spec:       func(m *catalogModel) any { return m.spec() },
		read:       func(o api.Object, m *catalogModel) error { return readTyped(o, &m.typedSpecModel) },
	})
}

type catalogModel struct {
	objectBase
	typedSpecModel
}

// readTyped sets the type and properties of a generic kind from the engine's object.
func readTyped(o api.Object, t *typedSpecModel) error {
	g, err := client.DecodeSpec[api.GenericSpec](o)
	if err == nil {
		t.read(g)
	}
	return err
}
