package jsbridge

import (
	"sync"
	"syscall/js"

	"github.com/flooim/floo/core"
	"github.com/flooim/floo/internal/lite"
)

// version is the module version, stamped by scripts/wasm.sh from
// npm/package.json with -ldflags "-X github.com/flooim/floo/jsbridge.version=...",
// so that the npm package can check it loaded the wasm it was built with.
var version = "dev"

// Version returns the version stamped into this build ("dev" when built
// without scripts/wasm.sh).
func Version() string { return version }

// Module returns the object wasm/main_js.go registers as
// globalThis.__flooWasm:
//
//	{ version: string, newClient(config, platform): GoClient | FlooError }
//
// newClient's js.Func lives as long as the module, so it is never released.
// The shape is declared for TypeScript in npm/src/types/bridge.d.ts.
func Module() js.Value {
	m := newObject()
	m.Set("version", version)
	m.Set("newClient", newFunc(func(_ js.Value, args []js.Value) any {
		return newClient(argAt(args, 0), argAt(args, 1))
	}, nil).Value)
	return m
}

// client is one instance of the facade: a core.Client with its platform
// adapters, the event pump and the JavaScript object whose methods call
// into it. Instances share nothing (JSAPI.md §14: independent instances).
type client struct {
	env    env
	cancel lite.CancelFunc // ends env.ctx: pending calls settle
	core   *core.Client
	pump   *eventPump
	off    func() // removes the engine event handler

	obj     js.Value   // the GoClient object returned to JavaScript
	funcs   []*jsFunc  // its methods, released by shutdown
	members []js.Value // the objects holding them (obj and the managers)

	linkServer string // config.linkServer: the first resolver of aysncParseLinkV2

	sendMu   sync.Mutex
	sendTail chan struct{} // guarded by sendMu; closed when the last prepared send is queued (postLater)

	closeOnce sync.Once
	closed    chan struct{}
}

// method is one function of the GoClient object. Synchronous methods
// return their value; asynchronous ones return a Promise (env.promise). A
// returned error is handed to JavaScript as a FlooError value, which the
// npm facade throws: a js.Func cannot throw by itself.
type method struct {
	name string
	fn   func(args []js.Value) (any, error)
}

// newClient implements __flooWasm.newClient(config, platform).
//
// config holds the official options (JSAPI.md §2: appid, dnsServer,
// autoLogin, logLevel; ws and linkServer are accepted and ignored) plus
// project extensions in milliseconds (requestTimeout, connectTimeout,
// loginTimeout, heartbeatInterval, sendTimeout) and deviceInfo, sdkVersion.
//
// platform holds {transport, http, storage?, localStore?, deliver,
// FlooError?, log?}: the adapters' JavaScript objects (see Transport, HTTP,
// Storage, LocalStore; without localStore nothing persists beyond the
// session strings of storage), the event callback
// deliver(Array<[name, payload]>) (an undefined payload comes as [name];
// see eventPump), the FlooError class of
// the npm package, and an optional log(level, message) function (console
// by default).
func newClient(config, platform js.Value) any {
	e := &env{}
	if platform.Type() == js.TypeObject {
		e.flooError = platform.Get("FlooError")
	}
	c, err := buildClient(e, config, platform)
	if err != nil {
		return e.errorValue(err)
	}
	return c.obj
}

func buildClient(e *env, config, platform js.Value) (*client, error) {
	if _, err := argObject(platform, "platform"); err != nil {
		return nil, err
	}
	cfg, err := readConfig(config)
	if err != nil {
		return nil, err
	}
	if cfg.Dialer, err = NewTransport(platform.Get("transport")); err != nil {
		return nil, err
	}
	if cfg.HTTP, err = NewHTTP(platform.Get("http")); err != nil {
		return nil, err
	}
	if st := platform.Get("storage"); !isNullish(st) {
		if cfg.Storage, err = NewStorage(st); err != nil {
			return nil, err
		}
	}
	if ls := platform.Get("localStore"); !isNullish(ls) {
		st, err := NewLocalStore(ls)
		if err != nil {
			return nil, err
		}
		cfg.LocalStore = st
		// A store with a small quota (wx storage) keeps fewer messages
		// per conversation than core's default.
		if cfg.StoreMessages, err = argIntOpt(ls.Get("messages"), "localStore.messages", 0, 1, 10000); err != nil {
			return nil, err
		}
	}
	deliver := platform.Get("deliver")
	if deliver.Type() != js.TypeFunction {
		return nil, core.ClientError("platform.deliver must be a function")
	}
	logFn, _, err := argFunctionOpt(platform.Get("log"), "platform.log")
	if err != nil {
		return nil, err
	}
	cfg.Logger = jsLogger{fn: logFn}

	c := &client{closed: make(chan struct{})}
	if config.Type() == js.TypeObject {
		if c.linkServer, err = argStringOpt(config.Get("linkServer"), "config.linkServer", 2048); err != nil {
			return nil, err
		}
	}
	c.env.flooError = e.flooError
	c.env.ctx, c.cancel = lite.WithCancel(lite.Background())
	c.pump = newEventPump(&c.env, deliver, c.env.convertEvent)
	cl, err := core.New(cfg)
	if err != nil {
		c.pump.close()
		c.cancel()
		return nil, err
	}
	c.core = cl
	// New has only posted the automatic login to the engine goroutine, which
	// cannot run before this goroutine blocks (wasm runs one goroutine at a
	// time), so the handler is in place before the first event.
	c.off = cl.OnEvent(func(ev core.Event) { c.pump.push(ev) })
	c.obj = newObject()
	c.install(c.obj, c.sessionMethods())
	c.obj.Set("userManage", c.installManager("userManage", userManage))
	c.obj.Set("rosterManage", c.installManager("rosterManage", rosterManage))
	c.obj.Set("groupManage", c.installManager("groupManage", groupManage))
	c.obj.Set("sysManage", c.installManager("sysManage", sysManage))
	return c, nil
}

// install sets methods on target, each as a js.Func owned by c.
func (c *client) install(target js.Value, methods []method) {
	c.members = append(c.members, target)
	for _, m := range methods {
		fn := m.fn
		f := newFunc(func(_ js.Value, args []js.Value) any {
			v, err := fn(args)
			if err != nil {
				return c.env.errorValue(err)
			}
			return v
		}, nil)
		c.funcs = append(c.funcs, f)
		target.Set(m.name, f.Value)
	}
}

// readConfig maps the JavaScript options object onto core.Config. The
// facade's default for autoLogin is true, the official default (JSAPI.md
// §2); core's zero value is false. DNS is looked up at once, as flooim()
// does (JSAPI.md §2), so that isReady() turns true without a first call.
func readConfig(v js.Value) (core.Config, error) {
	cfg := core.Config{EagerDNS: true}
	o, ok, err := argObjectOpt(v, "config")
	if err != nil || !ok {
		cfg.AutoLogin = true
		return cfg, err
	}
	if cfg.AppID, err = argStringOpt(o.Get("appid"), "config.appid", 256); err != nil {
		return cfg, err
	}
	if cfg.DNSServer, err = argStringOpt(o.Get("dnsServer"), "config.dnsServer", 2048); err != nil {
		return cfg, err
	}
	if cfg.AutoLogin, err = argBoolOpt(o.Get("autoLogin"), "config.autoLogin", true); err != nil {
		return cfg, err
	}
	level, err := argStringOpt(o.Get("logLevel"), "config.logLevel", 16)
	if err != nil {
		return cfg, err
	}
	cfg.LogLevel = core.LogLevel(level)
	if cfg.DeviceInfo, err = argStringOpt(o.Get("deviceInfo"), "config.deviceInfo", 256); err != nil {
		return cfg, err
	}
	if cfg.SDKVersion, err = argStringOpt(o.Get("sdkVersion"), "config.sdkVersion", 64); err != nil {
		return cfg, err
	}
	durations := [...]struct {
		key string
		dst *lite.Duration
	}{
		{"requestTimeout", &cfg.RequestTimeout},
		{"connectTimeout", &cfg.ConnectTimeout},
		{"loginTimeout", &cfg.LoginTimeout},
		{"heartbeatInterval", &cfg.HeartbeatInterval},
		{"sendTimeout", &cfg.SendTimeout},
	}
	for _, d := range durations {
		const day = 24 * 3600 * 1000
		ms, err := argIntOpt(o.Get(d.key), "config."+d.key, 0, 0, day)
		if err != nil {
			return cfg, err
		}
		*d.dst = lite.Duration(ms) * lite.Millisecond
	}
	return cfg, nil
}

// jsLogger sends the engine's log lines to platform.log(level, message), or
// to the console when there is none.
type jsLogger struct{ fn js.Value }

// Log implements core.Logger. It is called from engine goroutines; a
// throwing log function is ignored.
func (l jsLogger) Log(level core.LogLevel, msg string) {
	_ = safeCall(func() error {
		if l.fn.Type() == js.TypeFunction {
			l.fn.Invoke(string(level), msg)
			return nil
		}
		fn := "log"
		switch level {
		case core.LogDebug:
			fn = "debug"
		case core.LogInfo:
			fn = "info"
		case core.LogWarn:
			fn = "warn"
		case core.LogError:
			fn = "error"
		}
		js.Global().Get("console").Call(fn, "floo: "+msg)
		return nil
	})
}

// undefined is the value of methods with no result.
var undefined = js.Undefined()

// sessionMethods are the top-level methods of the official client object
// (JSAPI.md §3) that the engine supports, plus the project's lifecycle
// methods. The npm facade (npm/src/client.ts) maps the official argument
// shapes onto them one to one. The managers are tables of entries
// (call_js.go and the *manage_js.go files).
func (c *client) sessionMethods() []method {
	return []method{
		{"login", c.login},
		{"idLogin", c.idLogin},
		{"tokenLogin", c.tokenLogin},
		{"logout", c.logout},
		{"kickAllWeb", c.kickAllWeb},
		{"cleanup", func([]js.Value) (any, error) {
			return c.env.promise(func(ctx lite.Context) (js.Value, error) { return undefined, c.core.Cleanup(ctx) }), nil
		}},
		{"isLogin", func([]js.Value) (any, error) { return c.core.IsLogin(), nil }},
		{"isReady", func([]js.Value) (any, error) { return c.core.IsReady(), nil }},
		{"state", func([]js.Value) (any, error) { return string(c.core.State()), nil }},
		{"setLogLevel", c.setLogLevel},
		{"disConnect", func([]js.Value) (any, error) { c.core.Disconnect(); return undefined, nil }},
		{"reconnect", func([]js.Value) (any, error) { c.core.Reconnect(); return undefined, nil }},
		{"setOnline", c.setOnline},
		{"setVisible", c.setVisible},
		{"servers", c.servers},
		{"rest", c.rest},
		{"useClientMid", c.useClientMid},
		{"close", c.close},
	}
}

// Argument size limits: generous for real use, small enough that a bug
// cannot push megabytes through the login path.
const (
	maxNameLen     = 256
	maxPasswordLen = 1024
	maxTokenLen    = 8192
)

// login implements login({name | mobile, password}) (JSAPI.md §3). Missing
// credentials are core's SignInInvalidParam; values of the wrong type are
// InvalidParam. The Promise settles when the login succeeded or failed for
// good (JSAPI.md §14); the events fire as well.
func (c *client) login(args []js.Value) (any, error) {
	opt, err := argObject(argAt(args, 0), "login options")
	if err != nil {
		return c.env.rejected(err), nil
	}
	nameArg := opt.Get("name")
	if isNullish(nameArg) || (nameArg.Type() == js.TypeString && nameArg.String() == "") {
		nameArg = opt.Get("mobile")
	}
	name, err := argStringOpt(nameArg, "login: name", maxNameLen)
	if err != nil {
		return c.env.rejected(err), nil
	}
	password, err := argStringOpt(opt.Get("password"), "login: password", maxPasswordLen)
	if err != nil {
		return c.env.rejected(err), nil
	}
	return c.env.promise(func(ctx lite.Context) (js.Value, error) {
		return undefined, c.core.Login(ctx, name, password)
	}), nil
}

// idLogin implements idLogin({user_id, password}).
func (c *client) idLogin(args []js.Value) (any, error) {
	opt, err := argObject(argAt(args, 0), "idLogin options")
	if err != nil {
		return c.env.rejected(err), nil
	}
	uid, err := argIDOpt(opt.Get("user_id"), "idLogin: user_id")
	if err != nil {
		return c.env.rejected(err), nil
	}
	password, err := argStringOpt(opt.Get("password"), "idLogin: password", maxPasswordLen)
	if err != nil {
		return c.env.rejected(err), nil
	}
	return c.env.promise(func(ctx lite.Context) (js.Value, error) {
		return undefined, c.core.IDLogin(ctx, uid, password)
	}), nil
}

// tokenLogin implements tokenLogin(user_id, token, public_key?). The public
// key is accepted for compatibility; the engine does not encrypt frames.
func (c *client) tokenLogin(args []js.Value) (any, error) {
	uid, err := argIDOpt(argAt(args, 0), "tokenLogin: user_id")
	if err != nil {
		return c.env.rejected(err), nil
	}
	token, err := argStringOpt(argAt(args, 1), "tokenLogin: token", maxTokenLen)
	if err != nil {
		return c.env.rejected(err), nil
	}
	if _, err := argStringOpt(argAt(args, 2), "tokenLogin: public_key", maxTokenLen); err != nil {
		return c.env.rejected(err), nil
	}
	return c.env.promise(func(ctx lite.Context) (js.Value, error) {
		return undefined, c.core.TokenLogin(ctx, uid, token)
	}), nil
}

// logout implements logout({quitAllWeb, deleteUser, linkLogin}?). The
// facade never reloads the page (JSAPI.md §14), so deleteUser and linkLogin
// change nothing. The Promise resolves to {unknown: [client_mid, ...]}: the
// sends written but not acknowledged, neither sent nor failed (core
// LogoutResult), as decimal strings.
func (c *client) logout(args []js.Value) (any, error) {
	var opts core.LogoutOptions
	opt, ok, err := argObjectOpt(argAt(args, 0), "logout options")
	if err != nil {
		return c.env.rejected(err), nil
	}
	if ok {
		if opts.QuitAllWeb, err = argBoolOpt(opt.Get("quitAllWeb"), "logout: quitAllWeb", false); err != nil {
			return c.env.rejected(err), nil
		}
	}
	return c.env.promise(func(ctx lite.Context) (js.Value, error) {
		r, err := c.core.Logout(ctx, opts)
		o := newObject()
		a := newArray(len(r.Unknown))
		for i, mid := range r.Unknown {
			a.SetIndex(i, idString(mid))
		}
		o.Set("unknown", a)
		return o, err
	}), nil
}

// kickAllWeb implements kickAllWeb(): kick the user's other web devices,
// then end the local session. The official client erases its data and
// reloads the page, which logs the user out; the facade logs out and
// resolves instead (JSAPI.md §14).
func (c *client) kickAllWeb([]js.Value) (any, error) {
	return c.env.promise(func(ctx lite.Context) (js.Value, error) {
		_, err := c.core.Logout(ctx, core.LogoutOptions{QuitAllWeb: true})
		return undefined, err
	}), nil
}

func (c *client) setLogLevel(args []js.Value) (any, error) {
	level, err := argString(argAt(args, 0), "setLogLevel: level", 16)
	if err != nil {
		return nil, err
	}
	return undefined, c.core.SetLogLevel(core.LogLevel(level))
}

// setOnline forwards the platform's network signal (browser online and
// offline events, wx.onNetworkStatusChange): online also probes the
// connection (core Probe, PROTOCOL.md §5).
func (c *client) setOnline(args []js.Value) (any, error) {
	online, err := argBoolOpt(argAt(args, 0), "setOnline: online", true)
	if err != nil {
		return nil, err
	}
	c.core.SetOnline(online)
	return undefined, nil
}

// useClientMid(cmid) makes the next message send use client_mid cmid (a
// number or decimal string; 0 clears it): the npm package's shared-tabs
// mode queues a send made in another tab under the client_mid that tab
// already returned (core UseClientMid).
func (c *client) useClientMid(args []js.Value) (any, error) {
	v := argAt(args, 0)
	var cmid uint64
	if !(v.Type() == js.TypeNumber && v.Float() == 0) {
		id, err := argID(v, "useClientMid: cmid")
		if err != nil {
			return nil, err
		}
		cmid = id
	}
	c.core.UseClientMid(cmid)
	return undefined, nil
}

// setVisible forwards page visibility (visibilitychange, wx.onAppShow).
// A page coming back to the foreground probes the connection, which a
// background period may have silently killed, or, while the engine waits
// to reconnect, reconnects at once: browsers throttle timers in background
// tabs, so the backoff may have stretched far beyond its nominal length
// (core Probe, PROTOCOL.md §5). A connection closed by disConnect stays
// closed.
func (c *client) setVisible(args []js.Value) (any, error) {
	visible, err := argBoolOpt(argAt(args, 0), "setVisible: visible", true)
	if err != nil {
		return nil, err
	}
	if visible {
		c.core.Probe()
	}
	return undefined, nil
}

// servers returns {ratel, fireplace, rtc}, empty before DNS is resolved
// (sysManage.getServers, im.baseUrl).
func (c *client) servers([]js.Value) (any, error) {
	ratel, fireplace, rtc := c.core.Servers()
	o := newObject()
	o.Set("ratel", ratel)
	o.Set("fireplace", fireplace)
	o.Set("rtc", rtc)
	return o, nil
}

// close implements the facade's close(): it stops the engine (the stored
// session stays for the next start), delivers the remaining events, settles
// pending calls and releases every js.Func of the instance. The Promise
// resolves once all of that is done; later calls resolve at once.
func (c *client) close([]js.Value) (any, error) {
	return c.env.promise(func(lite.Context) (js.Value, error) {
		c.shutdown()
		return undefined, nil
	}), nil
}

// shutdown runs once, on a goroutine of its own: core.Close waits for the
// engine's goroutines, which may need the JavaScript thread.
func (c *client) shutdown() {
	c.closeOnce.Do(func() {
		_ = c.core.Close()
		c.off()
		c.pump.close()
		<-c.pump.Done()
		c.cancel()
		// Remove the methods before releasing them, so that a late call
		// fails in JavaScript ("is not a function") instead of reaching a
		// released function.
		for _, m := range c.members {
			keys := jsGlobal.Object.Call("keys", m)
			for i, n := 0, keys.Length(); i < n; i++ {
				if k := keys.Index(i).String(); m.Get(k).Type() == js.TypeFunction {
					m.Delete(k)
				}
			}
		}
		for _, f := range c.funcs {
			f.release()
		}
		c.funcs, c.members = nil, nil
		close(c.closed)
	})
	<-c.closed
}

// rejected returns a Promise already rejected with the FlooError for err:
// asynchronous methods report bad arguments the same way as every other
// failure.
func (e *env) rejected(err error) js.Value {
	return jsGlobal.Promise.Call("reject", e.errorValue(err))
}
