package server_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/enginetest"
)

// wireBodies is what each route sends and answers, written from the wire types and api.Routes'
// comments, not from the table the document is built from: a body dropped from (or changed in) the
// document fails the test. "" means no body; pages are Page[T].
var wireBodies = map[string]struct{ in, out any }{
	"GET /api/v1/whoami":                                {nil, api.WhoAmI{}},
	"POST /api/v1/tokens":                               {api.TokenRequest{}, api.Token{}},
	"GET /api/v1/tokens":                                {nil, api.Page[api.Token]{}},
	"GET /api/v1/tokens/{id}":                           {nil, api.Token{}},
	"DELETE /api/v1/tokens/{id}":                        {nil, nil},
	"POST /api/v1/workspaces":                           {api.WorkspaceInput{}, api.Workspace{}},
	"GET /api/v1/workspaces":                            {nil, api.Page[api.Workspace]{}},
	"GET /api/v1/workspaces/{id}":                       {nil, api.Workspace{}},
	"PUT /api/v1/workspaces/{id}":                       {api.WorkspaceInput{}, api.Workspace{}},
	"DELETE /api/v1/workspaces/{id}":                    {nil, nil},
	"POST /api/v1/workspaces/{id}/namespaces":           {api.NamespaceInput{}, api.Namespace{}},
	"GET /api/v1/workspaces/{id}/namespaces":            {nil, api.Page[api.Namespace]{}},
	"GET /api/v1/namespaces/{id}":                       {nil, api.Namespace{}},
	"DELETE /api/v1/namespaces/{id}":                    {nil, nil},
	"GET /api/v1/namespaces/{id}/contents":              {nil, api.NamespaceContents{}},
	"GET /api/v1/namespaces/{id}/members":               {nil, api.Page[api.Member]{}},
	"GET /api/v1/namespaces/{id}/members/{user}":        {nil, api.Member{}},
	"PUT /api/v1/namespaces/{id}/members/{user}":        {api.MemberInput{}, api.Member{}},
	"DELETE /api/v1/namespaces/{id}/members/{user}":     {nil, nil},
	"POST /api/v1/namespaces/{id}/objects/{kind}":       {api.ObjectInput{}, api.Object{}},
	"PUT /api/v1/namespaces/{id}/file-resources/{name}": {octetStream{}, api.Object{}},
	"GET /api/v1/namespaces/{id}/file-resources/{name}": {nil, octetStream{}},
	"GET /api/v1/namespaces/{id}/objects/{kind}":        {nil, api.Page[api.Object]{}},
	"GET /api/v1/objects/{id}":                          {nil, api.Object{}},
	"PUT /api/v1/objects/{id}":                          {api.ObjectInput{}, api.Object{}},
	"DELETE /api/v1/objects/{id}":                       {nil, nil},
	"GET /api/v1/objects/{id}/versions":                 {nil, api.Page[api.ObjectVersion]{}},
	"POST /api/v1/deployments/{id}/start":               {api.StartRequest{}, api.Job{}},
	"POST /api/v1/deployments/{id}/stop":                {api.StopRequest{}, api.Job{}},
	"GET /api/v1/deployments/{id}/job":                  {nil, api.Job{}},
	"GET /api/v1/deployments/{id}/checkpoints":          {nil, api.Page[api.Checkpoint]{}},
	"GET /api/v1/deployments/{id}/overview":             {nil, api.StateOverview{}},
	"POST /api/v1/deployments/{id}/snapshots":           {api.SnapshotRequest{}, api.Snapshot{}},
	"GET /api/v1/deployments/{id}/snapshot-policy":      {nil, api.SnapshotPolicy{}},
	"PUT /api/v1/deployments/{id}/snapshot-policy":      {api.SnapshotPolicy{}, api.SnapshotPolicy{}},
	"DELETE /api/v1/deployments/{id}/snapshot-policy":   {nil, nil},
	"GET /api/v1/snapshots":                             {nil, api.Page[api.Snapshot]{}},
	"GET /api/v1/snapshots/{id}":                        {nil, api.Snapshot{}},
	"DELETE /api/v1/snapshots/{id}":                     {nil, nil},
	"POST /api/v1/cron/validate":                        {api.CronRequest{}, api.CronResponse{}},
	"POST /api/v1/clones":                               {api.CloneRequest{}, api.Clone{}},
	"GET /api/v1/clones":                                {nil, api.Page[api.Clone]{}},
	"GET /api/v1/clones/{id}":                           {nil, api.Clone{}},
	"DELETE /api/v1/clones/{id}":                        {nil, api.Clone{}}, // the Clone with Deleted; 204 without ?delete_created
	"POST /api/v1/clones/{id}/cancel":                   {nil, api.Clone{}},
	"GET /api/v1/clones/{id}/renames":                   {nil, api.Page[api.Rename]{}},
	"GET /api/v1/clones/{id}/items":                     {nil, api.Page[api.CloneItem]{}},
}

// octetStream marks a body of raw bytes (application/octet-stream), not JSON.
type octetStream struct{}

// jsonFields lists the JSON names of a struct's fields, embedded structs flattened.
func jsonFields(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous {
			out = append(out, jsonFields(f.Type)...)
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

type openAPIDoc struct {
	Paths      map[string]map[string]openAPIOp `json:"paths"`
	Components struct {
		Schemas map[string]struct {
			Properties map[string]any `json:"properties"`
		} `json:"schemas"`
	} `json:"components"`
}

type openAPIOp struct {
	RequestBody *struct {
		Content map[string]struct {
			Schema map[string]any `json:"schema"`
		} `json:"content"`
	} `json:"requestBody"`
	Responses map[string]struct {
		Content map[string]struct {
			Schema map[string]any `json:"schema"`
		} `json:"content"`
	} `json:"responses"`
}

// checkSchema says what is wrong when ref does not describe the wire type of v.
func checkSchema(doc openAPIDoc, schema map[string]any, v any) string {
	ref, _ := schema["$ref"].(string)
	name := strings.TrimPrefix(ref, "#/components/schemas/")
	s, ok := doc.Components.Schemas[name]
	if ref == "" || !ok {
		return "no component schema (" + ref + ")"
	}
	var props []string
	for p := range s.Properties {
		props = append(props, p)
	}
	slices.Sort(props)
	if want := jsonFields(reflect.TypeOf(v)); !slices.Equal(props, want) {
		return "schema " + name + " has properties " + strings.Join(props, ",") + ", the wire type " +
			reflect.TypeOf(v).String() + " has " + strings.Join(want, ",")
	}
	return ""
}

// The served document describes every route with the bodies the wire types define.
func TestOpenAPIDocumentMatchesTheWireTypes(t *testing.T) {
	t.Parallel()
	env := enginetest.Start(t, enginetest.Options{})
	var doc openAPIDoc
	env.As("").Must(t, "GET", "/openapi.json", nil, &doc)
	for _, route := range api.Routes {
		method, path, _ := strings.Cut(route, " ")
		op, ok := doc.Paths[path][strings.ToLower(method)]
		if !ok {
			t.Errorf("the document lacks %s", route)
			continue
		}
		if route == "GET /api/v1/openapi.json" {
			continue
		}
		want, ok := wireBodies[route]
		if !ok {
			t.Errorf("%s is new: add its bodies to wireBodies", route)
			continue
		}
		switch {
		case want.in == nil && op.RequestBody != nil:
			t.Errorf("%s takes no body, the document says it does", route)
		case want.in != nil && op.RequestBody == nil:
			t.Errorf("%s takes a %T body, the document has no requestBody", route, want.in)
		case want.in == octetStream{}:
			if schema := op.RequestBody.Content["application/octet-stream"].Schema; schema["format"] != "binary" {
				t.Errorf("%s takes raw bytes, the document says %v", route, op.RequestBody.Content)
			}
		case want.in != nil:
			if msg := checkSchema(doc, op.RequestBody.Content["application/json"].Schema, want.in); msg != "" {
				t.Errorf("%s request body: %s", route, msg)
			}
		}
		var success []string
		for code := range op.Responses {
			if code != "default" {
				success = append(success, code)
			}
		}
		if len(success) == 0 {
			t.Errorf("%s has no success response", route)
			continue
		}
		for _, code := range success {
			resp := op.Responses[code]
			switch {
			case want.out == nil && (code != "204" || resp.Content != nil):
				t.Errorf("%s answers 204 without a body, the document says %s", route, code)
			case want.out == octetStream{}:
				if schema := resp.Content["application/octet-stream"].Schema; code != "200" || schema["format"] != "binary" {
					t.Errorf("%s answers raw bytes, the document says %s %v", route, code, resp.Content)
				}
			case want.out != nil:
				if msg := checkSchema(doc, resp.Content["application/json"].Schema, want.out); msg != "" {
					t.Errorf("%s response %s: %s", route, code, msg)
				}
			}
		}
	}
}
