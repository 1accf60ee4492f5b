// Package dns serves the discovery endpoint of REST.md §3: GET /v2/app_dns,
// which points ratel, webim and rtc at this same server, or at every node
// of a cluster (Options.Peers). GET /api/health is answered by the server,
// which knows the state of the database and of the shutdown.
//
// The advertised address is the one the client used to reach the server
// (scheme from TLS or X-Forwarded-Proto, host from X-Forwarded-Host or the
// Host header), unless a public URL is configured. Forwarded headers are
// trusted: they only change what is told to the client that sent them. The
// REST API builds its file URLs from the same rule (server/internal/baseurl),
// so the two always agree.
package dns
