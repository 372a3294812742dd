package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/client"
)

// NewConnectorResource is the flink_connector resource.
func NewConnectorResource() resource.Resource {
	attrs := fileUserKindAttributes("connector", "Connector type, such as `kafka` or the name a custom connector registers.", true)
	return newObjectResource[connectorModel](objectKind[connectorModel]{
		typeName: "connector", kind: api.KindConnector,
		description: "A connector of a namespace: built in, or custom with its JAR in a `flink_file_resource`. A " +
			"namespace clone copies connectors and points a copy at the copy of its file resource.",
		attributes: attrs,
		spec:       func(m *connectorModel) any { return m.fileUserSpec(m.typedSpecModel) },
		read: func(o api.Object, m *connectorModel) error {
			_, err := readFileUser(o, &m.typedSpecModel, &m.fileUserModel)
			return err
		},
	})
}

type connectorModel struct {
	objectBase
	typedSpecModel
	fileUserModel
}

// readFileUser sets the type, properties and file resource of a UDF or connector, and returns the spec
// for what else the kind reads.
func readFileUser(o api.Object, t *typedSpecModel, f *fileUserModel) (api.GenericSpec, error) {
	g, err := client.DecodeSpec[api.GenericSpec](o)
	if err == nil {
		t.read(g)
		f.read(g)
	}
	return g, err
}
