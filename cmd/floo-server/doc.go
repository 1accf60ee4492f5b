// Command floo-server runs the Floo reference server: DNS, the REST API and
// the XSYNC gateway on one address, with an embedded SQLite store.
//
// Every flag has an environment variable fallback (the flag wins); run
// floo-server -h for the list (server/README.md has a table). SIGINT or
// SIGTERM shuts the server down gracefully: in-flight requests get up to 10
// seconds, then the gateway closes every WebSocket with 1001 and the store
// is closed; a second signal kills the process at once.
package main
