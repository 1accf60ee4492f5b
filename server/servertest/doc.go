// Package servertest runs the whole reference server in-process for
// integration tests: server.New on a temporary data directory behind an
// httptest.Server, plus small REST helpers and a Clock a test can move.
//
//	env := servertest.Start(t)
//	uid := env.Register(t, "alice", "secret1")
//	tok := env.Token(t, "alice", "secret1")
//	code, data := env.Do(t, "GET", "/user/profile", tok, nil)
package servertest
