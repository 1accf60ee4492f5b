package core

import (
	"strings"

	"github.com/flooim/floo/internal/lite"
)

// Defaults of Config (PROTOCOL.md §4-§7, JSAPI.md §2).
const (
	DefaultAppID             = "welovemaxim" // Lanying's demo app
	DefaultDNSServer         = "https://dns.lanyingim.com/v2/app_dns"
	DefaultRequestTimeout    = 20 * lite.Second
	DefaultConnectTimeout    = 10 * lite.Second
	DefaultConnectStep       = 20 * lite.Second
	DefaultLoginTimeout      = 30 * lite.Second
	DefaultHeartbeatInterval = 50 * lite.Second
	DefaultLivenessTimeout   = 20 * lite.Second
	DefaultSendRate          = 40 // outbox items per second (PROTOCOL.md §7.5)
	DefaultSendBurst         = 50
	DefaultReconnectMin      = lite.Second
	DefaultReconnectMax      = 10 * lite.Second
	DefaultHistoryPageSize   = 20
	DefaultMessageCacheSize  = 100
	DefaultMessageCacheTotal = 20000
	DefaultSDKVersion        = "2.0.0"
	DefaultDeviceInfo        = "Web"
)

// Config configures a Client. The zero value of every field selects the
// documented default, so Config{Dialer: d, HTTP: h} is a working
// configuration. New copies the Config; the caller's value is never
// modified or retained.
//
// The struct is flat on purpose: it maps one to one onto the JavaScript
// options object of the facade.
type Config struct {
	_ noCompare
	// AppID is the application id sent with every REST call, the DNS lookup
	// and the token requests. Zero means DefaultAppID ("welovemaxim").
	AppID string

	// DNSServer is the full URL of a DNS endpoint, e.g.
	// "https://im.example.com/v2/app_dns". When set it is used alone
	// (PROTOCOL.md §4.2). Zero means the DNS servers saved from the previous
	// DNS reply, if any, plus DefaultDNSServer, health-probed when there
	// are several.
	DNSServer string

	// AutoLogin resumes the session stored by a previous login of this app
	// (user id and token) when the Client is created. Zero (false) leaves
	// login to the application; the JavaScript facade sets it to true, the
	// official default.
	AutoLogin bool

	// EagerDNS starts the DNS lookup when the Client is created, as the
	// official web client's flooim() does (JSAPI.md §2), so that IsReady
	// turns true without a first call and the first login skips the wait.
	// Zero looks DNS up at the first login or REST call. A failed early
	// lookup is only logged: the login looks up again.
	EagerDNS bool

	// LogLevel is the minimum level passed to Logger. Zero means LogWarn.
	LogLevel LogLevel
	// Logger receives the engine's log lines. Zero (nil) discards them.
	Logger Logger

	// RequestTimeout bounds every REST and DNS request, and a history query
	// while connected. Zero means 20 s (REST.md §2.6).
	RequestTimeout lite.Duration
	// ConnectTimeout bounds a connection attempt (dial plus Provision
	// reply): ConnectTimeout + ConnectTimeoutStep × attempt, attempt counting
	// from 0 (PROTOCOL.md §5). Zero means 10 s.
	ConnectTimeout lite.Duration
	// ConnectTimeoutStep is added to ConnectTimeout for every failed
	// attempt in a row. Zero means 20 s.
	ConnectTimeoutStep lite.Duration
	// LoginTimeout bounds a first login, from Login (or the start of an
	// auto-login) to the first successful Provision: past it the login
	// fails with SignInTimeout and loginFail instead of retrying further.
	// Three immediate failures in a row (a failed DNS lookup, a refused or
	// unreachable server) end it sooner. Reconnects after a successful
	// login are not bounded (PROTOCOL.md §5 "Initial login", login.go).
	// Zero means 30 s.
	LoginTimeout lite.Duration
	// HeartbeatInterval is the period of the UNREAD heartbeat. Zero means
	// 50 s.
	HeartbeatInterval lite.Duration
	// LivenessTimeout: when no frame at all arrives within this time after
	// a heartbeat, the connection is considered dead and is replaced. Zero
	// means 20 s.
	LivenessTimeout lite.Duration
	// SendTimeout is an app-set deadline for sends that were never written
	// to a connection (queued while disconnected, or behind the pacing):
	// when it passes first, the send fails with ServerTimeOut. A send once
	// written is never failed by time; it stays in the outbox until
	// acknowledged (PROTOCOL.md §7.5). Zero means no deadline.
	SendTimeout lite.Duration
	// SendRate and SendBurst pace the writes of the outbox (first writes
	// and resends) as a token bucket, below the server's send limit so
	// that a backlog written after a reconnect is not refused for rate
	// (PROTOCOL.md §7.5). Typing indicators take a token too. Zero means
	// 40 items per second and a burst of 50.
	SendRate  int
	SendBurst int
	// ReconnectMin and ReconnectMax bound the reconnect backoff: the first
	// retry is immediate, later ones wait a random time between ReconnectMin
	// and a ceiling that doubles from ReconnectMin up to ReconnectMax. Zero
	// means 1 s and 10 s (PROTOCOL.md §5).
	ReconnectMin lite.Duration
	ReconnectMax lite.Duration
	// Reconnect replaces the backoff built from ReconnectMin/ReconnectMax.
	// Zero (nil) means the built-in full-jitter strategy.
	Reconnect ReconnectStrategy

	// HistoryPageSize is the page size of History when the caller passes
	// n <= 0. Zero means 20.
	HistoryPageSize int
	// MessageCacheSize is the number of messages kept in memory per
	// conversation. Zero means 100, as the official clients keep, or
	// StoreMessages with a LocalStore.
	MessageCacheSize int
	// MessageCacheTotal caps the messages kept in memory over all
	// conversations. Zero means 20000.
	MessageCacheTotal int
	// Cache replaces the in-memory message cache. Zero (nil) means a
	// MemoryCache sized by MessageCacheSize and MessageCacheTotal.
	Cache MessageCache

	// LocalStore keeps the user's conversation list, unread counts, recent
	// messages, sync state and outbox across restarts (localstore.go):
	// they are read at the start of a session, before connecting, and a
	// send queued by an earlier process goes out with its client_mid.
	// Zero (nil) keeps everything in memory only, as before; MemoryStore
	// runs the same code without persisting.
	LocalStore LocalStore
	// StoreMessages is the number of messages the LocalStore keeps per
	// conversation, the newest. Zero means 200.
	StoreMessages int

	// SDKVersion is sent in Provision.sdk_vsn. Zero means "2.0.0", the
	// string the official JavaScript clients send.
	SDKVersion string
	// DeviceInfo is sent in Provision.device_info. Zero means "Web"
	// ("Uniapp" suits mini-programs).
	DeviceInfo string

	// Dialer opens XSYNC connections. Required.
	Dialer Dialer
	// HTTP performs REST, DNS and upload requests. Required.
	HTTP HTTPDoer
	// Storage persists the session, deviceSN, device_guid and DNS result.
	// Zero (nil) means a fresh MemoryStorage (nothing survives a restart).
	Storage Storage
	// Clock drives every timer of the engine. Zero (nil) means SystemClock.
	Clock Clock
}

// ConfigurationError reports a Config that New cannot use. It unwraps to an
// *Error with code InvalidParam, so IsCode(err, InvalidParam) holds.
type ConfigurationError struct {
	Field  string // the Config field at fault
	Reason string
}

// Error returns "floo: config: Field: reason".
func (e *ConfigurationError) Error() string {
	return "floo: config: " + e.Field + ": " + e.Reason
}

// Unwrap returns the InvalidParam *Error equivalent to e.
func (e *ConfigurationError) Unwrap() error {
	return ClientError("config: " + e.Field + ": " + e.Reason)
}

// withDefaults returns a copy of cfg with every zero field defaulted, or a
// ConfigurationError for a value that cannot work.
func (cfg Config) withDefaults() (Config, error) {
	c := cfg
	if c.Dialer == nil {
		return c, &ConfigurationError{"Dialer", "required"}
	}
	if c.HTTP == nil {
		return c, &ConfigurationError{"HTTP", "required"}
	}
	c.AppID = strings.TrimSpace(c.AppID)
	if c.AppID == "" {
		c.AppID = DefaultAppID
	}
	if c.DNSServer != "" && !strings.HasPrefix(c.DNSServer, "http://") && !strings.HasPrefix(c.DNSServer, "https://") {
		return c, &ConfigurationError{"DNSServer", "must be an http(s) URL"}
	}
	if c.LogLevel == "" {
		c.LogLevel = LogWarn
	}
	if _, ok := logRank(c.LogLevel); !ok {
		return c, &ConfigurationError{"LogLevel", "unknown level " + string(c.LogLevel)}
	}
	durations := []struct {
		name string
		v    *lite.Duration
		def  lite.Duration
	}{
		{"RequestTimeout", &c.RequestTimeout, DefaultRequestTimeout},
		{"ConnectTimeout", &c.ConnectTimeout, DefaultConnectTimeout},
		{"ConnectTimeoutStep", &c.ConnectTimeoutStep, DefaultConnectStep},
		{"LoginTimeout", &c.LoginTimeout, DefaultLoginTimeout},
		{"HeartbeatInterval", &c.HeartbeatInterval, DefaultHeartbeatInterval},
		{"LivenessTimeout", &c.LivenessTimeout, DefaultLivenessTimeout},
		{"SendTimeout", &c.SendTimeout, 0},
		{"ReconnectMin", &c.ReconnectMin, DefaultReconnectMin},
		{"ReconnectMax", &c.ReconnectMax, DefaultReconnectMax},
	}
	for _, d := range durations {
		if *d.v < 0 {
			return c, &ConfigurationError{d.name, "negative duration"}
		}
		if *d.v == 0 {
			*d.v = d.def
		}
	}
	if c.ReconnectMax < c.ReconnectMin {
		return c, &ConfigurationError{"ReconnectMax", "smaller than ReconnectMin"}
	}
	if c.LocalStore != nil && c.MessageCacheSize == 0 {
		// The memory holds what the store keeps: after a restart the
		// conversations show as many messages as before.
		c.MessageCacheSize = DefaultStoreMessages
		if c.StoreMessages > 0 {
			c.MessageCacheSize = c.StoreMessages
		}
	}
	ints := []struct {
		name string
		v    *int
		def  int
	}{
		{"HistoryPageSize", &c.HistoryPageSize, DefaultHistoryPageSize},
		{"MessageCacheSize", &c.MessageCacheSize, DefaultMessageCacheSize},
		{"MessageCacheTotal", &c.MessageCacheTotal, DefaultMessageCacheTotal},
		{"StoreMessages", &c.StoreMessages, DefaultStoreMessages},
		{"SendRate", &c.SendRate, DefaultSendRate},
		{"SendBurst", &c.SendBurst, DefaultSendBurst},
	}
	for _, d := range ints {
		if *d.v < 0 {
			return c, &ConfigurationError{d.name, "negative"}
		}
		if *d.v == 0 {
			*d.v = d.def
		}
	}
	if c.SDKVersion == "" {
		c.SDKVersion = DefaultSDKVersion
	}
	if c.DeviceInfo == "" {
		c.DeviceInfo = DefaultDeviceInfo
	}
	if c.Storage == nil {
		c.Storage = NewMemoryStorage()
	}
	if c.Clock == nil {
		c.Clock = SystemClock{}
	}
	if c.Reconnect == nil {
		c.Reconnect = &JitterBackoff{Min: c.ReconnectMin, Max: c.ReconnectMax}
	}
	if c.Cache == nil {
		c.Cache = NewMemoryCache(c.MessageCacheSize, c.MessageCacheTotal)
	}
	return c, nil
}

// connectTimeout returns the bound of connection attempt number attempt
// (0 for the first): 10 s + 20 s × attempt by default (PROTOCOL.md §5),
// capped so that a long outage does not make attempts last for hours.
func (cfg *Config) connectTimeout(attempt int) lite.Duration {
	const maxSteps = 5
	if attempt > maxSteps {
		attempt = maxSteps
	}
	return cfg.ConnectTimeout + lite.Duration(attempt)*cfg.ConnectTimeoutStep
}

// LogLevel is a log threshold. Its values are the strings of the official
// logLevel option, so it crosses to JavaScript as is.
type LogLevel string

// Log levels, from the most verbose.
const (
	LogDebug LogLevel = "debug"
	LogInfo  LogLevel = "info"
	LogWarn  LogLevel = "warn"
	LogError LogLevel = "error"
	LogOff   LogLevel = "off"
)

func logRank(l LogLevel) (int, bool) {
	switch l {
	case LogDebug:
		return 0, true
	case LogInfo:
		return 1, true
	case LogWarn:
		return 2, true
	case LogError:
		return 3, true
	case LogOff:
		return 4, true
	}
	return 0, false
}

// Logger receives log lines. Log is called from the engine's goroutines, so
// implementations must be safe for concurrent use and should not block.
type Logger interface {
	Log(level LogLevel, msg string)
}

// logger filters by level in front of a Logger. The threshold can change
// at run time (SetLogLevel), so it is read through rank, which loads an
// atomic of the Client.
type logger struct {
	out  Logger
	rank func() int
}

func (l logger) log(level LogLevel, msg string) {
	if l.out == nil {
		return
	}
	r, _ := logRank(level)
	if r < l.rank() {
		return
	}
	l.out.Log(level, msg)
}

func (l logger) enabled(level LogLevel) bool {
	if l.out == nil {
		return false
	}
	r, _ := logRank(level)
	return r >= l.rank()
}

func (l logger) debug(msg string) { l.log(LogDebug, msg) }
func (l logger) info(msg string)  { l.log(LogInfo, msg) }
func (l logger) warn(msg string)  { l.log(LogWarn, msg) }
