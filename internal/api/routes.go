package api

// Routes lists every route of the API as "METHOD /path" with Go 1.22 ServeMux wildcards. The server
// registers exactly these; the OpenAPI document is checked against them by a test.
//
// Listing routes take ?limit=N&page_token=T and return Page[T]. Creating POSTs honour Idempotency-Key.
var Routes = []string{
	"GET /api/v1/openapi.json",
	"GET /api/v1/whoami",

	"POST /api/v1/tokens",        // TokenRequest -> Token (with secret); admin only
	"GET /api/v1/tokens",         // Page[Token]
	"GET /api/v1/tokens/{id}",    // Token
	"DELETE /api/v1/tokens/{id}", // 204

	"POST /api/v1/workspaces",        // WorkspaceInput -> Workspace
	"GET /api/v1/workspaces",         // Page[Workspace]
	"GET /api/v1/workspaces/{id}",    // Workspace
	"PUT /api/v1/workspaces/{id}",    // WorkspaceInput -> Workspace
	"DELETE /api/v1/workspaces/{id}", // 204; 409 while it has namespaces

	"POST /api/v1/workspaces/{id}/namespaces", // NamespaceInput -> Namespace
	"GET /api/v1/workspaces/{id}/namespaces",  // Page[Namespace]; ?name= filters
	"GET /api/v1/namespaces/{id}",             // Namespace
	"DELETE /api/v1/namespaces/{id}",          // 204; ?force=true deletes what is inside
	"GET /api/v1/namespaces/{id}/contents",    // NamespaceContents

	"GET /api/v1/namespaces/{id}/members",           // Page[Member]
	"GET /api/v1/namespaces/{id}/members/{user}",    // Member
	"PUT /api/v1/namespaces/{id}/members/{user}",    // MemberInput -> Member (Owner only)
	"DELETE /api/v1/namespaces/{id}/members/{user}", // 204 (Owner only)

	"POST /api/v1/namespaces/{id}/objects/{kind}", // ObjectInput -> Object
	"GET /api/v1/namespaces/{id}/objects/{kind}",  // Page[Object]; ?name= filters
	// The raw bytes of a file resource, streamed to storage: creates it (201) or replaces its bytes (200).
	// ?source=&source_hash= or ?inline=true record where the bytes came from (FileOrigin).
	"PUT /api/v1/namespaces/{id}/file-resources/{name}", // application/octet-stream -> Object
	"GET /api/v1/namespaces/{id}/file-resources/{name}", // -> application/octet-stream, the current bytes
	"GET /api/v1/objects/{id}",                          // Object
	"PUT /api/v1/objects/{id}",                          // ObjectInput -> Object; 412 on a stale version
	"DELETE /api/v1/objects/{id}",                       // 204; a deployment's job is stopped and its state deleted
	"GET /api/v1/objects/{id}/versions",                 // Page[ObjectVersion], newest first

	"POST /api/v1/deployments/{id}/start", // StartRequest -> Job (STARTING)
	"POST /api/v1/deployments/{id}/stop",  // StopRequest -> Job (CANCELLING)
	"GET /api/v1/deployments/{id}/job",    // Job (the latest); 404 when it never ran
	"GET /api/v1/deployments/{id}/checkpoints",
	"GET /api/v1/deployments/{id}/overview",        // StateOverview
	"POST /api/v1/deployments/{id}/snapshots",      // SnapshotRequest -> Snapshot (STARTED)
	"GET /api/v1/deployments/{id}/snapshot-policy", // SnapshotPolicy; 404 when none
	"PUT /api/v1/deployments/{id}/snapshot-policy", // SnapshotPolicy -> SnapshotPolicy
	"DELETE /api/v1/deployments/{id}/snapshot-policy",

	"GET /api/v1/snapshots", // Page[Snapshot]; ?deployment_id= &job_id= &origin= &status=
	"GET /api/v1/snapshots/{id}",
	"DELETE /api/v1/snapshots/{id}", // 202 with the Snapshot (DELETING), 204 once gone

	"POST /api/v1/cron/validate", // CronRequest -> CronResponse

	"POST /api/v1/clones",             // CloneRequest -> Clone (PENDING)
	"GET /api/v1/clones",              // Page[Clone]; ?namespace_id= &direction=target|source|any
	"GET /api/v1/clones/{id}",         // Clone
	"DELETE /api/v1/clones/{id}",      // ?delete_created=true -> Clone with Deleted; else 204
	"POST /api/v1/clones/{id}/cancel", // Clone
	"GET /api/v1/clones/{id}/renames", // Page[Rename]
	"GET /api/v1/clones/{id}/items",   // Page[CloneItem]
}
