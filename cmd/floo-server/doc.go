// Command floo-server runs the Floo reference server: DNS, the REST API and
// the XSYNC gateway on one address, with an embedded SQLite store.
//
// Every flag has an environment variable fallback (the flag wins); run
// floo-server -h for the list. SIGINT or SIGTERM shuts the server down
// gracefully: in-flight requests get up to 10 seconds, then the gateway and
// the store are closed.
package main
