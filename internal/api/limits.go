package api

// Error codes of the HTTP layer's limits (the domain codes are in types.go).
const (
	CodePayloadTooLarge  = "payload_too_large"  // HTTP 413: the body exceeds the route's limit
	CodeMethodNotAllowed = "method_not_allowed" // HTTP 405: the Allow header lists the methods the path takes
)
