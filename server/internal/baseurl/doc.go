// Package baseurl works out the scheme://host[:port][/path] at which clients
// reach the reference server. The DNS reply (server/dns) and the upload and
// download URLs of the REST API (server/ratel) must name the same address,
// so both ask this package.
//
// A configured public URL wins. Otherwise the address is the one the client
// used: the scheme from TLS or X-Forwarded-Proto, the host from
// X-Forwarded-Host or the Host header. Forwarded headers are trusted because
// they only change what is told to the client that sent them.
package baseurl
