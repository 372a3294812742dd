package provider

import (
	"context"
	"maps"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapdefault"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/streamstate/terraform-provider-flink/internal/api"
)

// Catalogs, UDFs, connectors and formats share the engine's api.GenericSpec: a type, string properties,
// and for UDFs and connectors the file resource holding their JAR (UDFs also list their functions).
// Their models embed the parts they have, and these helpers map each part once.

// typedSpecModel is the type and properties every generic kind has.
type typedSpecModel struct {
	Type       types.String `tfsdk:"type"`
	Properties types.Map    `tfsdk:"properties"`
}

// fileUserModel is the reference of a UDF or connector to the file resource with its JAR.
type fileUserModel struct {
	FileResourceID types.String `tfsdk:"file_resource_id"`
}

// typedAttributes are the schema of typedSpecModel. typeDoc says what the type means for the kind.
func typedAttributes(what, typeDoc string, typeRequired bool) map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"type": schema.StringAttribute{
			MarkdownDescription: typeDoc + " Updated in place.",
			Required:            typeRequired, Optional: !typeRequired,
			Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
		},
		"properties": schema.MapAttribute{
			MarkdownDescription: "String properties of the " + what + ", passed on as they are. Updated in place. Keep " +
				"secrets out of them: put a secret in an `ENCRYPTED` `flink_variable` and write `${secret_values.<name>}`.",
			ElementType: types.StringType, Optional: true, Computed: true, Default: emptyMapDefault,
		},
	}
}

// fileUserAttributes are the schema of fileUserModel.
func fileUserAttributes(what string) map[string]schema.Attribute {
	return map[string]schema.Attribute{"file_resource_id": schema.StringAttribute{
		MarkdownDescription: "Id of the `flink_file_resource` of the same namespace that holds the " + what + "'s JAR. " +
			"While the " + what + " names it, the engine refuses to delete that file resource. Updated in place.",
		Optional: true, Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
	}}
}

// fileUserKindAttributes are the schema of a UDF or connector: typedAttributes and fileUserAttributes.
func fileUserKindAttributes(what, typeDoc string, typeRequired bool) map[string]schema.Attribute {
	attrs := typedAttributes(what, typeDoc, typeRequired)
	maps.Copy(attrs, fileUserAttributes(what))
	return attrs
}

// fileUserSpec is the spec of a UDF or connector: t's type and properties and f's file resource.
func (f fileUserModel) fileUserSpec(t typedSpecModel) api.GenericSpec {
	g := t.spec()
	g.FileResourceID = f.FileResourceID.ValueString()
	return g
}

func (t typedSpecModel) spec() api.GenericSpec {
	return api.GenericSpec{Type: t.Type.ValueString(), Properties: stringMap(t.Properties)}
}

func (t *typedSpecModel) read(g api.GenericSpec) {
	t.Type = stringOrNull(g.Type)
	t.Properties = stringMapValue(g.Properties)
}

func (f *fileUserModel) read(g api.GenericSpec) { f.FileResourceID = stringOrNull(g.FileResourceID) }

// stringMap reads a known map of strings; null and unknown give nil.
func stringMap(m types.Map) map[string]string {
	if m.IsNull() || m.IsUnknown() {
		return nil
	}
	out := map[string]string{}
	_ = m.ElementsAs(context.Background(), &out, false)
	return out
}

// stringMapValue is a map of strings (an empty map, never null): the engine drops empty maps, so
// "nothing" and "{}" must read back alike, whatever the configuration or an import wrote.
func stringMapValue(m map[string]string) types.Map {
	v, _ := types.MapValueFrom(context.Background(), types.StringType, m)
	if m == nil {
		v = types.MapValueMust(types.StringType, map[string]attr.Value{})
	}
	return v
}

// emptyMapDefault makes a left-out map attribute plan as {}, as the engine reads it back.
var emptyMapDefault = mapdefault.StaticValue(types.MapValueMust(types.StringType, map[string]attr.Value{}))

// emptyListDefault makes a left-out list attribute plan as [], as the engine reads it back.
var emptyListDefault = listdefault.StaticValue(types.ListValueMust(types.StringType, []attr.Value{}))

// listStrings reads a known list of strings; null and unknown give nil.
func listStrings(l types.List) []string {
	if l.IsNull() || l.IsUnknown() {
		return nil
	}
	var out []string
	_ = l.ElementsAs(context.Background(), &out, false)
	return out
}

// optionalEngineVersion is an optional engine_version attribute (drafts, session clusters), checked at
// plan time like a deployment's.
func optionalEngineVersion(doc string) schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: doc, Optional: true,
		Validators: []validator.String{stringvalidator.RegexMatches(engineVersionPattern,
			"must be an engine version such as flink-1.20, vvr-11.1-flink-1.20 or vvr-8.0.9-flink-1.17")},
	}
}
