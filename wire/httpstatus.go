package wire

// HTTPStatusToCode maps the HTTP status of a response that is not a gRPC
// response to a gRPC code, following grpc/grpc
// doc/http-grpc-status-mapping.md:
//
//	400 Bad Request           → INTERNAL
//	401 Unauthorized          → UNAUTHENTICATED
//	403 Forbidden             → PERMISSION_DENIED
//	404 Not Found             → UNIMPLEMENTED
//	429 Too Many Requests     → UNAVAILABLE
//	502 Bad Gateway           → UNAVAILABLE
//	503 Service Unavailable   → UNAVAILABLE
//	504 Gateway Timeout       → UNAVAILABLE
//	any other                 → UNKNOWN
func HTTPStatusToCode(status int) Code {
	switch status {
	case 400:
		return Internal
	case 401:
		return Unauthenticated
	case 403:
		return PermissionDenied
	case 404:
		return Unimplemented
	case 429, 502, 503, 504:
		return Unavailable
	default:
		return Unknown
	}
}
