package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/streamstate/terraform-provider-flink/internal/api"
)

// NewFormatResource is the flink_format resource.
func NewFormatResource() resource.Resource {
	return newObjectResource[formatModel](objectKind[formatModel]{
		typeName: "format", kind: api.KindFormat,
		description: "A data format of a namespace (such as `json`, `avro` or `csv`) with the properties that " +
			"configure it. A namespace clone copies formats.",
		attributes: typedAttributes("format", "Format type, such as `json`, `avro` or `csv`.", true),
		spec:       func(m *formatModel) any { return m.spec() },
		read:       func(o api.Object, m *formatModel) error { return readTyped(o, &m.typedSpecModel) },
	})
}

type formatModel struct {
	objectBase
	typedSpecModel
}
