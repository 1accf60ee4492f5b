package core

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/internal/lite"
)

type nopDialer struct{}

func (nopDialer) Dial(ctx lite.Context, url string) (Conn, error) { return nil, errors.New("no") }

func TestConfigDefaults(t *testing.T) {
	in := Config{Dialer: nopDialer{}, HTTP: newFakeHTTP()}
	c, err := in.withDefaults()
	require.NoError(t, err)
	assert.Equal(t, DefaultAppID, c.AppID)
	assert.Empty(t, c.DNSServer, "no configured DNS: saved list or built-in default")
	assert.Equal(t, LogWarn, c.LogLevel)
	assert.Equal(t, 20*lite.Second, c.RequestTimeout)
	assert.Equal(t, 10*lite.Second, c.connectTimeout(0))
	assert.Equal(t, 50*lite.Second, c.connectTimeout(2))
	assert.Equal(t, 110*lite.Second, c.connectTimeout(50), "capped")
	assert.Equal(t, 30*lite.Second, c.LoginTimeout)
	assert.Equal(t, 50*lite.Second, c.HeartbeatInterval)
	assert.Equal(t, 20*lite.Second, c.LivenessTimeout)
	assert.Zero(t, c.SendTimeout, "no deadline for sends unless the app sets one")
	assert.Equal(t, 40, c.SendRate)
	assert.Equal(t, 50, c.SendBurst)
	assert.Equal(t, lite.Second, c.ReconnectMin)
	assert.Equal(t, 10*lite.Second, c.ReconnectMax)
	assert.Equal(t, 20, c.HistoryPageSize)
	assert.Equal(t, 100, c.MessageCacheSize)
	assert.Equal(t, "2.0.0", c.SDKVersion)
	assert.Equal(t, "Web", c.DeviceInfo)
	assert.NotNil(t, c.Storage)
	assert.Equal(t, SystemClock{}, c.Clock)
	assert.NotNil(t, c.Reconnect)
	assert.NotNil(t, c.Cache)
	assert.Nil(t, in.Storage, "the caller's Config is not modified")
}

func TestConfigErrors(t *testing.T) {
	ok := Config{Dialer: nopDialer{}, HTTP: newFakeHTTP()}
	for name, mod := range map[string]func(*Config){
		"Dialer":          func(c *Config) { c.Dialer = nil },
		"HTTP":            func(c *Config) { c.HTTP = nil },
		"DNSServer":       func(c *Config) { c.DNSServer = "dns.example.com" },
		"LogLevel":        func(c *Config) { c.LogLevel = "loud" },
		"SendTimeout":     func(c *Config) { c.SendTimeout = -lite.Second },
		"LoginTimeout":    func(c *Config) { c.LoginTimeout = -lite.Second },
		"ReconnectMax":    func(c *Config) { c.ReconnectMin, c.ReconnectMax = 5*lite.Second, lite.Second },
		"HistoryPageSize": func(c *Config) { c.HistoryPageSize = -1 },
		"SendBurst":       func(c *Config) { c.SendBurst = -1 },
	} {
		cfg := ok
		mod(&cfg)
		cl, err := New(cfg)
		assert.Nil(t, cl, name)
		var ce *ConfigurationError
		require.True(t, errors.As(err, &ce), "%s: %v", name, err)
		assert.Equal(t, name, ce.Field)
		assert.True(t, IsCode(err, InvalidParam), "%s unwraps to InvalidParam", name)
	}
}

func TestSystemClockAndMemoryStorage(t *testing.T) {
	var clk SystemClock
	tm := clk.NewTimer(lite.Millisecond)
	<-tm.C()
	assert.False(t, tm.Stop())
	tm.Reset(lite.Hour)
	assert.True(t, tm.Stop())
	assert.InDelta(t, lite.Now().UnixMilli(), clk.Now().UnixMilli(), 1000)

	var s MemoryStorage
	_, ok := s.Get("k")
	assert.False(t, ok)
	require.NoError(t, s.Set("k", "v"))
	v, ok := s.Get("k")
	assert.True(t, ok)
	assert.Equal(t, "v", v)
	assert.Equal(t, []string{"k"}, s.Keys())
	require.NoError(t, s.Delete("k"))
	require.NoError(t, s.Delete("k"))
	_, ok = s.Get("k")
	assert.False(t, ok)
}

func TestClientGetters(t *testing.T) {
	srv := newFakeServer(t)
	c, _ := newTestClient(t, srv, nil, nil)
	assert.Equal(t, fakeAppID, c.AppID())
	assert.Equal(t, StateIdle, c.State())
	assert.False(t, c.IsReady())
	assert.Zero(t, c.UID())
	assert.NoError(t, c.SetLogLevel(LogDebug))
	assert.True(t, IsCode(c.SetLogLevel("chatty"), InvalidParam))
	require.NoError(t, c.Close())
	require.NoError(t, c.Close())
	assert.Equal(t, StateClosed, c.State())
}
