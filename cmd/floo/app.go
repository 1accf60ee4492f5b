package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/flooim/floo/core"
	"github.com/flooim/floo/core/native"
)

// Storage keys. The floo.* keys are core's (documented in core's
// session.go); cli.* are this program's.
const (
	keyUID      = "floo.uid"
	keyToken    = "floo.token"
	keyTokenApp = "floo.token_app"
	keyServer   = "cli.server" // the -server of the last login
	keyAppID    = "cli.app_id" // the -app-id of the last login
)

// app runs one command.
type app struct {
	o      *options
	stdin  io.Reader // the password source of register and login; may be nil
	stdout io.Writer
	stderr io.Writer
	store  *native.FileStorage
	// resumed is the session a command resumed: uid, token and its app.
	resumed [3]string
}

func (a *app) dispatch(ctx context.Context) error {
	st, err := native.OpenFileStorage(a.o.home)
	if err != nil {
		return err
	}
	a.store = st
	// What login stored fills in what neither flags nor environment gave,
	// so that "floo send" needs no -server after "floo -server X login".
	if a.o.server == "" && a.o.cmd != "register" && a.o.cmd != "login" {
		a.o.server, _ = st.Get(keyServer)
	}
	if a.o.appID == "" && a.o.cmd != "register" && a.o.cmd != "login" {
		a.o.appID, _ = st.Get(keyAppID)
	}
	err = a.command(ctx)
	a.keepSharedSession(err)
	return err
}

// keepSharedSession undoes what a removed device slot did to the shared
// session. The engine of a device that another device removed forgets the
// stored token, but the slots of one home share it and the server revoked
// only the tokens issued to the removed installation: the other slots
// (and this one, once it logs in as a new device) may go on. A token that
// was really revoked fails at the next command, which then says so.
func (a *app) keepSharedSession(err error) {
	if !core.IsCode(err, core.UserKickedByOtherDevices) || a.resumed[1] == "" {
		return
	}
	if _, ok := a.store.Get(keyToken); ok {
		return
	}
	if uid, _ := a.store.Get(keyUID); uid != a.resumed[0] {
		return
	}
	a.store.Set(keyToken, a.resumed[1])
	if a.resumed[2] != "" {
		a.store.Set(keyTokenApp, a.resumed[2])
	}
}

func (a *app) command(ctx context.Context) error {
	switch a.o.cmd {
	case "register":
		return a.register(ctx)
	case "login":
		return a.login(ctx)
	case "send":
		return a.send(ctx)
	case "listen":
		return a.listen(ctx)
	case "history":
		return a.history(ctx)
	case "devices":
		if len(a.o.args) == 2 {
			return a.removeDevice(ctx, a.o.args[1])
		}
		return a.devices(ctx)
	case "logout":
		return a.logout(ctx)
	case "search":
		return a.search(ctx)
	case "friends":
		return a.friends(ctx)
	case "groups":
		return a.groups(ctx)
	}
	return usagef("unknown command %q", a.o.cmd)
}

// newClient creates an engine on the native pieces with the session
// storage of a.o.device. The returned function closes it.
func (a *app) newClient() (*core.Client, func(), error) {
	dns := ""
	if a.o.server != "" {
		var err error
		if dns, err = dnsURL(a.o.server); err != nil {
			return nil, nil, err
		}
	}
	h := &native.HTTP{}
	// The local store of this device slot: its outbox belongs to the
	// slot's deviceSN, which the server's dedup of client_mids is keyed by.
	ls := native.NewSQLiteStore(filepath.Join(a.o.home, "store."+a.o.device+".db"))
	c, err := core.New(core.Config{
		AppID:     a.o.appID,
		DNSServer: dns,
		LogLevel:  core.LogLevel(a.o.logLevel),
		Logger:    &stderrLogger{w: a.stderr},
		// -timeout bounds the login too (0, for listen: the engine's 30 s);
		// see loginContext.
		LoginTimeout: a.o.timeout,
		DeviceInfo:   "floo-cli",
		Dialer:       &native.Dialer{},
		HTTP:         h,
		Storage:      deviceStorage{s: a.store, device: a.o.device},
		LocalStore:   ls,
	})
	if err != nil {
		return nil, nil, err
	}
	return c, func() {
		a.drain(c)
		c.Close()
		ls.Close()
		h.CloseIdleConnections()
	}, nil
}

// drainWait bounds the wait of a command for the acks of the sends it
// still has pending when it ends (sends an earlier command queued, now
// written on this command's connection).
const drainWait = 5 * time.Second

// drain waits, while connected and at most drainWait, until the outbox is
// empty. What is left stays in the local store for the next command.
func (a *app) drain(c *core.Client) {
	if c.State() != core.StateConnected {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), drainWait)
	defer cancel()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		pending, err := c.PendingSends(ctx)
		if err != nil || len(pending) == 0 || c.State() != core.StateConnected {
			return
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			fmt.Fprintf(a.stderr, "floo: %d sends not acknowledged yet; they stay queued\n", len(pending))
			return
		}
	}
}

// resume logs in with the stored session.
func (a *app) resume(ctx context.Context, c *core.Client) error {
	uidS, ok := a.store.Get(keyUID)
	token, ok2 := a.store.Get(keyToken)
	if !ok || !ok2 || token == "" {
		return errors.New("not logged in: run floo login <name> <password>")
	}
	app, ok := a.store.Get(keyTokenApp)
	if ok && app != c.AppID() {
		return fmt.Errorf("the stored session belongs to app %q, not %q: run floo login", app, c.AppID())
	}
	a.resumed = [3]string{uidS, token, app}
	uid, err := strconv.ParseUint(uidS, 10, 64)
	if err != nil || uid == 0 {
		return fmt.Errorf("the stored session is damaged (%s in %s): run floo login", keyUID, a.store.Path())
	}
	return loggingIn(ctx, func(ctx context.Context) error { return c.TokenLogin(ctx, uid, token) })
}

// loginError is a login that failed: the command prints it as
// "floo: login failed: <what> (<SDK code>)".
type loginError struct{ err error }

func (e *loginError) Error() string {
	var ce *core.Error
	if !errors.As(e.err, &ce) {
		return "login failed: " + e.err.Error()
	}
	hint := ""
	switch ce.Code {
	case core.SignInTimeout:
		hint = ", see -timeout"
	case core.InvalidToken:
		hint = ": the session expired, run floo login"
	case core.UserTooManyDevice:
		hint = ": every device slot of the account is taken, floo devices lists them, floo devices rm <device_sn> frees one"
	}
	return "login failed: " + ce.Message + " (" + ce.Code.String() + hint + ")"
}

func (e *loginError) Unwrap() error { return e.err }

// loggingIn runs a login call. The call's context ends when ctx is
// cancelled (an interrupt) but not at ctx's deadline: the engine's login
// timeout, set to the same -timeout, ends the login then and says why it
// could not complete, which a bare "deadline exceeded" would not. A failure
// is a loginError, unless the login was interrupted.
func loggingIn(ctx context.Context, login func(context.Context) error) error {
	lctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	stop := context.AfterFunc(ctx, func() {
		if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
			cancel()
		}
	})
	defer stop()
	err := login(lctx)
	if err == nil || lctx.Err() != nil {
		return err
	}
	return &loginError{err}
}

// resumedClient is newClient logged in with the stored session. listen
// does not use it: its handler must be in place before the login.
func (a *app) resumedClient(ctx context.Context) (*core.Client, func(), error) {
	c, done, err := a.newClient()
	if err != nil {
		return nil, nil, err
	}
	if err := a.resume(ctx, c); err != nil {
		done()
		return nil, nil, err
	}
	return c, done, nil
}

func (a *app) print(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	b = append(b, '\n')
	_, err = a.stdout.Write(b)
	return err
}

func (a *app) register(ctx context.Context) error {
	c, done, err := a.newClient()
	if err != nil {
		return err
	}
	defer done()
	password, err := a.password(ctx)
	if err != nil {
		return err
	}
	s, err := c.User().Register(ctx, a.o.args[0], password)
	if err != nil {
		return err
	}
	return a.print(map[string]any{"user_id": s.UserID, "username": a.o.args[0]})
}

func (a *app) login(ctx context.Context) error {
	c, done, err := a.newClient()
	if err != nil {
		return err
	}
	defer done()
	password, err := a.password(ctx)
	if err != nil {
		return err
	}
	err = loggingIn(ctx, func(ctx context.Context) error { return c.Login(ctx, a.o.args[0], password) })
	if err != nil {
		return err
	}
	// Remember where this session lives; forget a previous server's
	// setting when none was given now.
	for k, v := range map[string]string{keyServer: a.o.server, keyAppID: a.o.appID} {
		if v == "" {
			err = a.store.Delete(k)
		} else {
			err = a.store.Set(k, v)
		}
		if err != nil {
			return err
		}
	}
	return a.print(map[string]any{"user_id": c.UID(), "device_sn": c.DeviceSN(), "app_id": c.AppID()})
}

// queuedError is a send that could not be delivered now but is kept in
// the local store (exitQueued).
type queuedError struct {
	cmid  uint64
	cause error
}

func (e *queuedError) Error() string {
	msg := "not sent yet"
	if e.cause != nil {
		msg += " (" + strings.TrimPrefix(e.cause.Error(), "floo: ") + ")"
	}
	return msg + "; message " + strconv.FormatUint(e.cmid, 10) + " is queued and goes out with the next floo command that connects"
}

func (e *queuedError) Unwrap() error { return e.cause }

// send queues the message as soon as the stored session is resumed, before
// the connection is up, and waits for its ack. When the server cannot be
// reached (the login fails) or -timeout passes first, the message stays in
// the local store: the command prints {"queued":true,...} and exits with
// exitQueued, and the next command that connects sends it with the same
// client_mid, so that it is delivered once even if this one had written it.
func (a *app) send(ctx context.Context) error {
	to, toType, err := conversation(a.o.args[0])
	if err != nil {
		return err
	}
	c, done, err := a.newClient()
	if err != nil {
		return err
	}
	defer done()
	started := make(chan struct{})
	var once sync.Once
	statuses := make(chan core.SendingStatus, 64)
	c.OnEvent(func(ev core.Event) {
		switch e := ev.(type) {
		case core.StateChanged:
			if e.State == core.StateConnecting {
				once.Do(func() { close(started) })
			}
		case core.SendingStatus:
			if e.Status != core.SendStatusSending {
				select {
				case statuses <- e:
				default:
				}
			}
		}
	})
	loginErr := make(chan error, 1)
	go func() { loginErr <- a.resume(ctx, c) }()
	select {
	case <-started:
	case err := <-loginErr:
		if err != nil {
			return err
		}
		loginErr = nil
	}
	cmid, err := c.PostMessage(core.Message{To: to, ToType: toType, Content: a.o.args[1]})
	if err != nil {
		return err
	}
	queued := func(cause error) error {
		a.print(map[string]any{"queued": true, "client_mid": cmid, "to": to, "to_type": toType, "content": a.o.args[1]})
		return &queuedError{cmid: cmid, cause: cause}
	}
	for {
		select {
		case s := <-statuses:
			if s.Mid != cmid {
				continue
			}
			if s.Status == core.SendStatusFailed {
				return s.Err
			}
			return a.print(messageJSON(*s.Message, c.UID()))
		case err := <-loginErr:
			loginErr = nil
			if err != nil {
				return queued(err)
			}
		case <-ctx.Done():
			return queued(ctx.Err())
		}
	}
}

func (a *app) history(ctx context.Context) error {
	conv, _, err := conversation(a.o.args[0])
	if err != nil {
		return err
	}
	c, done, err := a.resumedClient(ctx)
	if err != nil {
		return err
	}
	defer done()
	page, err := c.History(ctx, conv, a.o.before, a.o.n)
	if err != nil {
		return err
	}
	self := c.UID()
	for _, m := range page.Messages {
		if err := a.print(messageJSON(m, self)); err != nil {
			return err
		}
	}
	return nil
}

func (a *app) logout(ctx context.Context) error {
	c, done, err := a.newClient()
	if err != nil {
		return err
	}
	defer done()
	// No connection is needed: logging out forgets the stored token and
	// wipes the user's local store (this slot's; the other slots' below).
	uid, _ := a.store.Get(keyUID)
	_, err = c.Logout(ctx, core.LogoutOptions{})
	if err != nil || uid == "" {
		return err
	}
	others, _ := filepath.Glob(filepath.Join(a.o.home, "store.*.db"))
	for _, path := range others {
		if filepath.Base(path) == "store."+a.o.device+".db" {
			continue
		}
		s := native.NewSQLiteStore(path)
		err = errors.Join(err, s.Wipe(c.AppID()+"/"+uid), s.Close())
	}
	return err
}

// device is the JSON form of one registered device.
type device struct {
	DeviceSN  uint64 `json:"device_sn"`
	Platform  string `json:"platform"` // ios, android, windows, macos, linux, web or the number
	UserAgent string `json:"user_agent"`
	// LastSeen is the last login or disconnect (ms, and as a UTC time);
	// servers that do not report it give 0 and "".
	LastSeen   uint64 `json:"last_seen"`
	LastSeenAt string `json:"last_seen_at"`
	Online     bool   `json:"online"`
	// ThisDevice marks the device this command logged in as (-device).
	ThisDevice bool `json:"this_device"`
}

// platformNames are the Provision os_type values (REST.md §12 Device).
var platformNames = map[int]string{1: "ios", 2: "android", 3: "windows", 4: "macos", 5: "linux", 6: "web"}

// devices prints the user's devices, one JSON line each, ordered by SN.
// The command itself logs in as a device (-device, "cli" by default), which
// is then listed as this_device and online.
func (a *app) devices(ctx context.Context) error {
	c, done, err := a.resumedClient(ctx)
	if err != nil {
		return err
	}
	defer done()
	devs, err := c.User().Devices(ctx)
	if err != nil {
		return err
	}
	self := uint64(c.DeviceSN())
	for _, d := range devs {
		name, ok := platformNames[d.Platform]
		if !ok {
			name = strconv.Itoa(d.Platform)
		}
		out := device{DeviceSN: d.DeviceSN, Platform: name, UserAgent: d.UserAgent, LastSeen: d.LastSeen,
			Online: d.Online, ThisDevice: d.DeviceSN == self}
		if d.LastSeen > 0 {
			out.LastSeenAt = time.UnixMilli(int64(d.LastSeen)).UTC().Format(time.RFC3339)
		}
		if err := a.print(out); err != nil {
			return err
		}
	}
	return nil
}

// removeDevice removes another device of the user (POST /user/kick): its
// session ends, the tokens issued to it are revoked and its slot is free.
// Removing the device this command runs as is refused: that is logout.
func (a *app) removeDevice(ctx context.Context, arg string) error {
	sn, err := strconv.ParseUint(arg, 10, 32)
	if err != nil || sn == 0 {
		return usagef("%q is not a device_sn (see floo devices)", arg)
	}
	c, done, err := a.resumedClient(ctx)
	if err != nil {
		return err
	}
	defer done()
	if sn == uint64(c.DeviceSN()) {
		return fmt.Errorf("device %d is this device (-device %s): run floo logout instead", sn, a.o.device)
	}
	devs, err := c.User().Devices(ctx)
	if err != nil {
		return err
	}
	found := false
	for _, d := range devs {
		found = found || d.DeviceSN == sn
	}
	if !found {
		return fmt.Errorf("no device %d (see floo devices)", sn)
	}
	if err := c.User().KickDevice(ctx, sn); err != nil {
		return err
	}
	return a.print(map[string]any{"removed": sn})
}

// listen prints every message that reaches this device until ctx ends
// (interrupt, -timeout), -n messages were printed, or the session ends
// for good (kicked, token revoked), which is an error. The engine
// reconnects by itself meanwhile.
func (a *app) listen(ctx context.Context) error {
	c, done, err := a.newClient()
	if err != nil {
		return err
	}
	defer done()
	finished := make(chan error, 1)
	finish := func(err error) {
		select {
		case finished <- err:
		default:
		}
	}
	printed := 0
	c.OnEvent(func(ev core.Event) {
		// Handlers run one at a time, in order, so printed needs no lock.
		var m core.Message
		switch e := ev.(type) {
		case core.RosterMessage:
			m = e.Message
		case core.GroupMessage:
			m = e.Message
		case core.StateChanged:
			switch {
			case e.State == core.StateIdle && e.Err != nil:
				finish(e.Err)
			case e.State == core.StateReconnecting && e.Err != nil:
				fmt.Fprintln(a.stderr, "floo: connection lost, reconnecting:", e.Err)
			}
			return
		case core.LoginSuccess:
			if e.Reconnect {
				fmt.Fprintln(a.stderr, "floo: reconnected")
			}
			return
		default:
			return
		}
		if m.IsHistory || (a.o.n > 0 && printed >= a.o.n) {
			return
		}
		if err := a.print(messageJSON(m, c.UID())); err != nil {
			finish(err)
			return
		}
		printed++
		if a.o.n > 0 && printed == a.o.n {
			finish(nil)
		}
	})
	if err := a.resume(ctx, c); err != nil {
		return err
	}
	fmt.Fprintf(a.stderr, "floo: listening as %d (device %d)\n", c.UID(), c.DeviceSN())
	select {
	case err := <-finished:
		return err
	case <-ctx.Done():
		return nil
	}
}

// message is the JSON form of a message.
type message struct {
	ID         uint64 `json:"id"`
	From       uint64 `json:"from"`
	To         uint64 `json:"to"`
	ToType     string `json:"to_type"` // roster or group
	Type       string `json:"type"`    // text, image, file...
	Content    string `json:"content"`
	Ext        string `json:"ext,omitempty"`
	Config     string `json:"config,omitempty"`
	Attachment string `json:"attachment,omitempty"`
	Timestamp  uint64 `json:"timestamp"` // ms
	Status     string `json:"status"`    // unread, delivered or read
	Edited     uint64 `json:"edit_timestamp,omitempty"`
	// Outgoing marks messages the user sent, from this or another device:
	// bots that answer every message must skip them.
	Outgoing bool `json:"outgoing"`
}

func messageJSON(m core.Message, self uint64) message {
	status := "unread"
	switch m.Status {
	case core.MessageDelivered:
		status = "delivered"
	case core.MessageRead:
		status = "read"
	}
	return message{
		ID: m.ID, From: m.From, To: m.To, ToType: m.ToType, Type: m.Type, Content: m.Content,
		Ext: m.Ext, Config: m.Config, Attachment: m.Attachment, Timestamp: m.Timestamp,
		Status: status, Edited: m.EditTimestamp, Outgoing: m.From == self && self != 0,
	}
}

// deviceStorage gives each device slot of one home its own device
// identity: the deviceSN and device_guid keys of core (floo.sn.<uid>,
// floo.guid.<uid>) get an "@<device>" suffix, while the session itself
// (user id, token) is shared. Two commands running at once with different
// slots are then two devices, and the server does not kick one out for the
// other (PROTOCOL.md §4.7).
type deviceStorage struct {
	s      core.Storage
	device string
}

func (d deviceStorage) key(k string) string {
	if strings.HasPrefix(k, "floo.sn.") || strings.HasPrefix(k, "floo.guid.") {
		return k + "@" + d.device
	}
	return k
}

func (d deviceStorage) Get(k string) (string, bool) { return d.s.Get(d.key(k)) }
func (d deviceStorage) Set(k, v string) error       { return d.s.Set(d.key(k), v) }
func (d deviceStorage) Delete(k string) error       { return d.s.Delete(d.key(k)) }

// stderrLogger writes the engine's log lines to standard error.
type stderrLogger struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *stderrLogger) Log(level core.LogLevel, msg string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, "floo: [%s] %s\n", level, msg)
}
