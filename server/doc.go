// Package server assembles the Floo reference server: the DNS endpoints
// (server/dns), the REST API (server/ratel), the XSYNC WebSocket gateway
// (server/fireplace, plugged in through Config.NewGateway) and an optional
// static web folder, all behind one http.Handler with CORS (REST.md §2.1).
//
// Routing on the single address, in order:
//
//   - OPTIONS anything: CORS preflight, 204.
//   - a WebSocket upgrade (any path): the gateway; 501 without one, 503
//     while draining (Server.Drain).
//   - GET /v2/app_dns: DNS.
//   - GET /api/health: the state of the database, the bus and the
//     shutdown, as JSON (health.go).
//   - a registered REST route: ratel.
//   - GET/HEAD of a file in the web folder (Config.WebDir): that file, or
//     its precompressed .br/.gz sibling when the client accepts it
//     (static.go).
//   - GET / (no web folder): 200 "floo" at once, for the web client's
//     latency probe (REST.md §2.7).
//   - anything else: ratel's JSON 404.
//
// See README.md in this directory for how to extend the server.
package server
