package server

import (
	"reflect"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/streamstate/terraform-provider-flink/internal/api"
)

// rawBytes marks a request body of raw bytes (application/octet-stream) rather than JSON.
type rawBytes struct{}

// routeIO describes a route's request and response bodies for the OpenAPI document (nil = none).
type routeIO struct{ in, out any }

// routeBodies gives every route of api.Routes its bodies; TestOpenAPIDocumentMatchesTheWireTypes checks the
// served document against the wire types, independently of this table.
var routeBodies = map[string]routeIO{
	"GET /api/v1/openapi.json":                      {nil, map[string]any{}},
	"GET /api/v1/whoami":                            {nil, api.WhoAmI{}},
	"POST /api/v1/tokens":                           {api.TokenRequest{}, api.Token{}},
	"GET /api/v1/tokens":                            {nil, api.Page[api.Token]{}},
	"GET /api/v1/tokens/{id}":                       {nil, api.Token{}},
	"DELETE /api/v1/tokens/{id}":                    {nil, nil},
	"POST /api/v1/workspaces":                       {api.WorkspaceInput{}, api.Workspace{}},
	"GET /api/v1/workspaces":                        {nil, api.Page[api.Workspace]{}},
	"GET /api/v1/workspaces/{id}":                   {nil, api.Workspace{}},
	"PUT /api/v1/workspaces/{id}":                   {api.WorkspaceInput{}, api.Workspace{}},
	"DELETE /api/v1/workspaces/{id}":                {nil, nil},
	"POST /api/v1/workspaces/{id}/namespaces":       {api.NamespaceInput{}, api.Namespace{}},
	"GET /api/v1/workspaces/{id}/namespaces":        {nil, api.Page[api.Namespace]{}},
	"GET /api/v1/namespaces/{id}":                   {nil, api.Namespace{}},
	"DELETE /api/v1/namespaces/{id}":                {nil, nil},
	"GET /api/v1/namespaces/{id}/contents":          {nil, api.NamespaceContents{}},
	"GET /api/v1/namespaces/{id}/members":           {nil, api.Page[api.Member]{}},
	"GET /api/v1/namespaces/{id}/members/{user}":    {nil, api.Member{}},
	"PUT /api/v1/namespaces/{id}/members/{user}":    {api.MemberInput{}, api.Member{}},
	"DELETE /api/v1/namespaces/{id}/members/{user}": {nil, nil},
	"POST /api/v1/namespaces/{id}/objects/{kind}":   {api.ObjectInput{}, api.Object{}},
	"GET /api/v1/namespaces/{id}/objects/{kind}":    {nil, api.Page[api.Object]{}},
	uploadRoute:                                       {rawBytes{}, api.Object{}},
	downloadRoute:                                     {nil, rawBytes{}},
	"GET /api/v1/objects/{id}":                        {nil, api.Object{}},
	"PUT /api/v1/objects/{id}":                        {api.ObjectInput{}, api.Object{}},
	"DELETE /api/v1/objects/{id}":                     {nil, nil},
	"GET /api/v1/objects/{id}/versions":               {nil, api.Page[api.ObjectVersion]{}},
	"POST /api/v1/deployments/{id}/start":             {api.StartRequest{}, api.Job{}},
	"POST /api/v1/deployments/{id}/stop":              {api.StopRequest{}, api.Job{}},
	"GET /api/v1/deployments/{id}/job":                {nil, api.Job{}},
	"GET /api/v1/deployments/{id}/checkpoints":        {nil, api.Page[api.Checkpoint]{}},
	"GET /api/v1/deployments/{id}/overview":           {nil, api.StateOverview{}},
	"POST /api/v1/deployments/{id}/snapshots":         {api.SnapshotRequest{}, api.Snapshot{}},
	"GET /api/v1/deployments/{id}/snapshot-policy":    {nil, api.SnapshotPolicy{}},
	"PUT /api/v1/deployments/{id}/snapshot-policy":    {api.SnapshotPolicy{}, api.SnapshotPolicy{}},
	"DELETE /api/v1/deployments/{id}/snapshot-policy": {nil, nil},
	"GET /api/v1/snapshots":                           {nil, api.Page[api.Snapshot]{}},
	"GET /api/v1/snapshots/{id}":                      {nil, api.Snapshot{}},
	"DELETE /api/v1/snapshots/{id}":                   {nil, nil},
	"POST /api/v1/cron/validate":                      {api.CronRequest{}, api.CronResponse{}},
	"POST /api/v1/clones":                             {api.CloneRequest{}, api.Clone{}},
	"GET /api/v1/clones":                              {nil, api.Page[api.Clone]{}},
	"GET /api/v1/clones/{id}":                         {nil, api.Clone{}},
	"DELETE /api/v1/clones/{id}":                      {nil, api.Clone{}},
	"POST /api/v1/clones/{id}/cancel":                 {nil, api.Clone{}},
	"GET /api/v1/clones/{id}/renames":                 {nil, api.Page[api.Rename]{}},
	"GET /api/v1/clones/{id}/items":                   {nil, api.Page[api.CloneItem]{}},
}

var (
	openapiOnce sync.Once
	openapiDoc  map[string]any
)

// OpenAPI returns the OpenAPI 3.1 document of the API, derived from api.Routes and the wire types.
func OpenAPI() map[string]any {
	openapiOnce.Do(func() { openapiDoc = buildOpenAPI() })
	return openapiDoc
}

var pathParam = regexp.MustCompile(`\{([a-z_]+)\}`)

func buildOpenAPI() map[string]any {
	schemas := map[string]any{}
	paths := map[string]any{}
	problem := map[string]any{"application/problem+json": map[string]any{"schema": schemaOf(reflect.TypeOf(api.Problem{}), schemas)}}
	for _, route := range api.Routes {
		method, path, _ := strings.Cut(route, " ")
		bodies := routeBodies[route]
		op := map[string]any{
			"operationId": operationID(method, path),
			"security":    []any{map[string]any{"bearer": []any{}}},
			"responses":   map[string]any{"default": map[string]any{"description": "an error", "content": problem}},
		}
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		if route == uploadRoute {
			for _, q := range [][2]string{
				{"source", "where the bytes came from, recorded as origin.source (the provider's local path)"},
				{"source_hash", "recorded as origin.source_hash; only with source"},
				{"inline", "true: the bytes were given inline (origin.inline)"},
			} {
				params = append(params, map[string]any{"name": q[0], "in": "query", "required": false,
					"description": q[1], "schema": map[string]any{"type": "string"}})
			}
		}
		if params != nil {
			op["parameters"] = params
		}
		if _, raw := bodies.in.(rawBytes); raw {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
				"application/octet-stream": map[string]any{"schema": map[string]any{"type": "string", "format": "binary"}}}}
		} else if bodies.in != nil {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
				"application/json": map[string]any{"schema": schemaOf(reflect.TypeOf(bodies.in), schemas)}}}
		}
		resp := op["responses"].(map[string]any)
		switch {
		case bodies.out == nil:
			resp["204"] = map[string]any{"description": "done"}
		case bodies.out == rawBytes{}:
			resp["200"] = map[string]any{"description": "the bytes", "content": map[string]any{
				"application/octet-stream": map[string]any{"schema": map[string]any{"type": "string", "format": "binary"}}}}
		case method == "POST" && !strings.HasSuffix(path, "/cancel") && !strings.HasSuffix(path, "/start") &&
			!strings.HasSuffix(path, "/stop") && !strings.HasSuffix(path, "/validate"):
			resp["201"] = jsonResponse(bodies.out, schemas)
		case route == uploadRoute:
			resp["200"] = jsonResponse(bodies.out, schemas)
			resp["201"] = jsonResponse(bodies.out, schemas)
		default:
			resp["200"] = jsonResponse(bodies.out, schemas)
		}
		item, _ := paths[path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[path] = item
		}
		item[strings.ToLower(method)] = op
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info":    map[string]any{"title": "flink-engine API", "version": "v1"},
		"paths":   paths,
		"components": map[string]any{
			"schemas":         schemas,
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer"}},
		},
	}
}

func jsonResponse(out any, schemas map[string]any) map[string]any {
	return map[string]any{"description": "ok", "content": map[string]any{
		"application/json": map[string]any{"schema": schemaOf(reflect.TypeOf(out), schemas)}}}
}

func operationID(method, path string) string {
	parts := []string{strings.ToLower(method)}
	for _, seg := range strings.Split(strings.TrimPrefix(path, "/api/v1/"), "/") {
		if m := pathParam.FindStringSubmatch(seg); m != nil {
			parts = append(parts, "by_"+m[1])
			continue
		}
		parts = append(parts, strings.NewReplacer("-", "_", ".", "_").Replace(seg))
	}
	return strings.Join(parts, "_")
}

var (
	timeType     = reflect.TypeOf(time.Time{})
	durationType = reflect.TypeOf(api.Duration{})
	rawJSONType  = reflect.TypeOf([]byte(nil))
)

// schemaOf renders a Go type as a JSON schema; named structs go to components and are referenced.
func schemaOf(t reflect.Type, schemas map[string]any) map[string]any {
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t == durationType:
		return map[string]any{"type": "string", "description": "a Go duration such as 30s, 10m or 168h"}
	case t.Name() == "RawMessage":
		return map[string]any{"description": "a kind-specific JSON document"}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return schemaOf(t.Elem(), schemas)
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int64, reflect.Int32:
		return map[string]any{"type": "integer"}
	case reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice:
		if t == rawJSONType || t.Elem().Kind() == reflect.Uint8 {
			return map[string]any{"type": "string", "contentEncoding": "base64"}
		}
		return map[string]any{"type": "array", "items": schemaOf(t.Elem(), schemas)}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": schemaOf(t.Elem(), schemas)}
	case reflect.Struct:
		name := strings.NewReplacer("[", "_", "]", "", "github.com/streamstate/terraform-provider-flink/internal/api.", "").Replace(t.Name())
		ref := map[string]any{"$ref": "#/components/schemas/" + name}
		if _, done := schemas[name]; done {
			return ref
		}
		props := map[string]any{}
		schemas[name] = map[string]any{"type": "object", "properties": props}
		addFields(t, props, schemas)
		return ref
	}
	return map[string]any{}
}

func addFields(t reflect.Type, props map[string]any, schemas map[string]any) {
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous {
			addFields(f.Type, props, schemas)
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		props[name] = schemaOf(f.Type, schemas)
	}
}
