package ratel

import "strconv"

// APIError is a business error: it becomes the envelope
// {code: Code, message: Message, data: null} with HTTP 200 (or with Status
// when set). Handlers return it, usually through Fail.
type APIError struct {
	Code    int
	Message string
	// Status is the HTTP status to answer with; 0 = 200, as REST.md §2.4
	// requires for business errors. Only transport-level conditions (rate
	// limit, oversized body) use another status.
	Status int
}

// Error implements error.
func (e *APIError) Error() string {
	return "ratel: code " + strconv.Itoa(e.Code) + ": " + e.Message
}

// Fail returns an *APIError with HTTP status 200.
func Fail(code int, msg string) *APIError { return &APIError{Code: code, Message: msg} }

// badParam is the usual 10002 error naming the offending field.
func badParam(field, why string) *APIError {
	return Fail(CodeBadParam, field+": "+why)
}
