package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/streamstate/terraform-provider-flink/internal/api"
)

// NewUDFResource is the flink_udf resource.
func NewUDFResource() resource.Resource {
	attrs := fileUserKindAttributes("UDF", "Artifact type, such as `jar` or `python`.", false)
	attrs["functions"] = schema.ListAttribute{
		MarkdownDescription: "Names of the functions the artifact provides. Updated in place.",
		ElementType:         types.StringType, Optional: true, Computed: true, Default: emptyListDefault,
	}
	return newObjectResource[udfModel](objectKind[udfModel]{
		typeName: "udf", kind: api.KindUDF,
		description: "A UDF artifact of a namespace: the functions it provides, with its JAR in a " +
			"`flink_file_resource`. A namespace clone copies UDFs and points a copy at the copy of its file resource.",
		attributes: attrs,
		spec: func(m *udfModel) any {
			g := m.fileUserSpec(m.typedSpecModel)
			g.Functions = listStrings(m.Functions)
			return g
		},
		read: func(o api.Object, m *udfModel) error {
			g, err := readFileUser(o, &m.typedSpecModel, &m.fileUserModel)
			m.Functions = stringList(g.Functions)
			return err
		},
	})
}

type udfModel struct {
	objectBase
	typedSpecModel
	fileUserModel
	Functions types.List `tfsdk:"functions"`
}
