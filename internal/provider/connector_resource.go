package provider

import (
	"maps"

	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/client"
)

// NewConnectorResource is the flink_connector resource.
func NewConnectorResource() resource.Resource {
	attrs := typedAttributes("connector", "Connector type, such as `kafka` or the name a custom connector registers.", true)
	maps.Copy(attrs, fileUserAttributes("connector"))
	return newObjectResource[connectorModel](objectKind[connectorModel]{
		typeName: "connector", kind: api.KindConnector,
		description: "A connector of a namespace: built in, or custom with its JAR in a `flink_file_resource`. A " +
			"namespace clone copies connectors and points a copy at the copy of its file resource.",
		attributes: attrs,
		spec:       func(m *connectorModel) any { return m.fileUserSpec(m.typedSpecModel) },
		read: func(o api.Object, m *connectorModel) error {
			return readFileUser(o, &m.typedSpecModel, &m.fileUserModel)
		},
	})
}

type connectorModel struct {
	objectBase
	typedSpecModel
	fileUserModel
}

// readFileUser sets the type, properties and file resource of a UDF or connector.
func readFileUser(o api.Object, t *typedSpecModel, f *fileUserModel) error {
	g, err := client.DecodeSpec[api.GenericSpec](o)
	if err == nil {
		t.read(g)
		f.read(g)
	}
	return err
}
