// Package ratel implements the reference server's REST API ("ratel",
// REST.md): a small framework (routing, the {code, message, data} envelope,
// parameter coercion, authentication, rate limiting) and the app, token and
// user endpoints. Other domains (roster, groups, files) add their routes in
// their own files through the same framework; see server/README.md.
//
// Conventions every endpoint follows:
//
//   - Every reply is HTTP 200 with {"code", "message", "data"}; business
//     errors are *APIError values (REST.md §2.4). Unexpected errors are logged
//     and answered with HTTP 500 / code 500, which the SDK retries as
//     ServerBusy. Unknown paths answer HTTP 404 / code 404.
//   - Parameters come from the JSON body or the query string, the body
//     winning, with the number and boolean coercion of REST.md §2.3 (Call).
//   - access-token and app_id are read from the header or the query string.
//     Public endpoints ignore any token; authenticated ones answer 10003 when
//     it is missing and 402 when it is unknown or expired. Another app id
//     answers 40000.
//   - Side effects reach devices through a Notifier (the XSYNC gateway).
package ratel
