package ratel_test

import (
	"testing"

	"github.com/flooim/floo/server"
	"github.com/flooim/floo/server/servertest"
)

// BenchmarkProfile measures an authenticated envelope request end to end
// over HTTP: token lookup (reader pool), user read, JSON envelope.
func BenchmarkProfile(b *testing.B) {
	env := servertest.Start(b)
	u := env.NewUser(b, "bench")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if code, _ := env.Do(b, "GET", "/user/profile", u.Token, nil); code != 200 {
			b.Fatal(code)
		}
	}
}

// BenchmarkSettingsWrite measures an authenticated write (one writer
// transaction with synchronous=FULL) plus its notice.
func BenchmarkSettingsWrite(b *testing.B) {
	env := servertest.Start(b)
	u := env.NewUser(b, "bench")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if code, _ := env.Do(b, "POST", "/user/settings", u.Token, map[string]any{"no_sounds": i%2 == 0}); code != 200 {
			b.Fatal(code)
		}
	}
}

// BenchmarkLoginCost10 measures /token/user at the production bcrypt cost.
func BenchmarkLoginCost10(b *testing.B) {
	env := servertest.Start(b, servertest.WithConfig(func(c *server.Config) { c.BcryptCost = 10 }))
	env.Register(b, "bench", "secret1")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		env.Token(b, "bench", "secret1")
	}
}
