package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/flooim/floo/core"
)

// Exit statuses.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
	// exitQueued: send could not deliver its message now (the server was
	// unreachable, or -timeout passed before the ack); the message is kept
	// in the local store and goes out, with its client_mid, with the next
	// command that connects.
	exitQueued = 3
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := runIn(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

// defaultTimeout bounds the one-shot commands unless -timeout says
// otherwise.
const defaultTimeout = 30 * time.Second

// options are the parsed flags and positional arguments.
type options struct {
	server   string
	appID    string
	home     string
	device   string
	logLevel string
	timeout  time.Duration
	n        int
	before   uint64
	help     bool
	// passwordStdin: register and login read the password from standard
	// input even when it is a terminal (-password-stdin).
	passwordStdin bool

	cmd  string
	args []string
}

// usageError is a command line the program cannot use: exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

// commands lists each command's arguments and description, for the usage
// text and the argument count check.
type command struct {
	name, args, desc string
	nargs            int
	// argsOK, when set, replaces the nargs check.
	argsOK func(args []string) bool
}

var commands = []command{
	{"register", "<name> [<password>]", "create an account; prints {\"user_id\":...}", 2, passwordArgsOK},
	{"login", "<name> [<password>]", "log in and store the session; prints {\"user_id\":...,\"device_sn\":...}", 2, passwordArgsOK},
	{"send", "<uid|group:gid> <text>", "send a text message; prints the stored message", 2, nil},
	{"listen", "[-n N]", "print incoming messages as JSON lines until interrupted (or N messages)", 0, nil},
	{"history", "<uid|group:gid> [-n N] [-before ID]", "print a conversation's messages, oldest first", 1, nil},
	{"devices", "[rm <device_sn>]", "list the user's devices as JSON lines, or remove one (kick it, forget its slot)", 0,
		func(args []string) bool { return len(args) == 0 || len(args) == 2 && args[0] == "rm" }},
	{"search", "<name>", "find a user by name; prints {\"user_id\":...,\"username\":...}", 1, nil},
	{"friends", "[requests | add <uid> [<message>] | accept <uid> | remove <uid>]",
		"list the friends (or the requests received) as JSON lines; add, accept, remove one", 0, friendsArgsOK},
	{"groups", "[create <name> [<uid>...] | invite <gid> <uid>... | leave <gid>]",
		"list the joined groups as JSON lines; create one, invite users, leave one", 0, groupsArgsOK},
	{"logout", "", "forget the stored session", 0, nil},
}

const usageHead = `Usage: floo [flags] <command> [arguments]

A terminal client of the Floo IM service. Output is JSON, one object per
line; diagnostics go to standard error. Exit status: 0 ok, 1 error, 2 usage,
3 send queued (sent by the next command that connects).

Commands:
`

const usageFlags = `
Flags (accepted before or after the command; each falls back to the
environment variable in brackets, then to what login stored):
  -server URL      DNS URL (ending in /app_dns) or server base URL, e.g.
                   http://127.0.0.1:8080 [$FLOO_SERVER]; default: the public
                   Lanying DNS
  -app-id ID       app id [$FLOO_APP_ID]; default: welovemaxim
  -home DIR        where the session is stored [$FLOO_HOME]; default: ~/.floo
  -device NAME     device slot of this installation; default: listen for
                   listen, cli for the other commands
  -timeout D       bound of the whole command, e.g. 10s, its login included;
                   default 30s, and no bound for listen (which then exits 0
                   when it elapses; its login is bounded by 30s)
  -log-level L     engine log level on standard error: debug, info, warn,
                   error or off [$FLOO_LOG_LEVEL]; default warn
  -n N             listen: exit after N messages; history: page size
                   (default 20, at most 100)
  -before ID       history: only messages older than message ID
  -password-stdin  register, login (after the command): read the password
                   from standard input (one line) even when it is a
                   terminal. Without it, a password not given as an
                   argument is asked for without echo when standard input
                   is a terminal, and read from it otherwise. A password
                   given as an argument is visible to other users of the
                   machine (ps) and kept in the shell's history: prefer the
                   prompt or standard input.
  -h               this help

Examples:
  floo -server http://127.0.0.1:8080 register alice
  floo -server http://127.0.0.1:8080 login alice
  printf '%s\n' "$ALICE_PASSWORD" | floo login alice
  floo search bob
  floo friends add 10000002 'hi, it is alice'
  floo friends requests
  floo friends accept 10000001
  floo groups create team 10000002 10000003
  floo send 10000002 'hello bob'
  floo send group:20000001 'hello everyone'
  floo listen | jq -r .content
  floo history 10000002 -n 50
  floo devices
  floo devices rm 3
`

func printUsage(w io.Writer) {
	io.WriteString(w, usageHead)
	for _, c := range commands {
		if len(c.args) > 36 {
			// Commands with subcommands: the description on a line of its own.
			fmt.Fprintf(w, "  %-9s %s\n  %-9s %-36s %s\n", c.name, c.args, "", "", c.desc)
			continue
		}
		fmt.Fprintf(w, "  %-9s %-36s %s\n", c.name, c.args, c.desc)
	}
	io.WriteString(w, usageFlags)
}

// newFlagSet defines the flags of cmd ("" before the command) on o; the
// current values of o are the defaults, so flags given before the command
// survive the second pass.
func newFlagSet(o *options, cmd string) *flag.FlagSet {
	fs := flag.NewFlagSet("floo", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported by run, usage by printUsage
	fs.StringVar(&o.server, "server", o.server, "")
	fs.StringVar(&o.appID, "app-id", o.appID, "")
	fs.StringVar(&o.home, "home", o.home, "")
	fs.StringVar(&o.device, "device", o.device, "")
	fs.StringVar(&o.logLevel, "log-level", o.logLevel, "")
	fs.DurationVar(&o.timeout, "timeout", o.timeout, "")
	fs.BoolVar(&o.help, "h", o.help, "")
	fs.BoolVar(&o.help, "help", o.help, "")
	switch cmd {
	case "listen", "history":
		fs.IntVar(&o.n, "n", o.n, "")
	}
	if cmd == "history" {
		fs.Uint64Var(&o.before, "before", o.before, "")
	}
	if cmd == "register" || cmd == "login" {
		fs.BoolVar(&o.passwordStdin, "password-stdin", o.passwordStdin, "")
	}
	return fs
}

// parseArgs reads the global flags, the command, then the command's
// arguments with flags accepted anywhere among them ("--" ends the flags,
// for a text that starts with a dash).
func parseArgs(args []string) (*options, error) {
	o := &options{timeout: -1}
	fs := newFlagSet(o, "")
	if err := fs.Parse(args); err != nil {
		return o, usagef("%v", err)
	}
	rest := fs.Args()
	if o.help {
		return o, nil
	}
	if len(rest) == 0 {
		return o, usagef("no command given")
	}
	o.cmd, rest = rest[0], rest[1:]
	if o.cmd == "help" {
		o.help = true
		return o, nil
	}
	nargs := -1
	for _, c := range commands {
		if c.name == o.cmd {
			nargs = c.nargs
		}
	}
	if nargs < 0 {
		return o, usagef("unknown command %q", o.cmd)
	}
	fs = newFlagSet(o, o.cmd)
	for len(rest) > 0 {
		if err := fs.Parse(rest); err != nil {
			return o, usagef("%s: %v", o.cmd, err)
		}
		left := fs.Args()
		consumed := len(rest) - len(left)
		if consumed > 0 && rest[consumed-1] == "--" {
			o.args = append(o.args, left...)
			break
		}
		if len(left) == 0 {
			break
		}
		o.args = append(o.args, left[0])
		rest = left[1:]
	}
	if o.help {
		return o, nil
	}
	if c := commandSpec(o.cmd); c.argsOK != nil && !c.argsOK(o.args) || c.argsOK == nil && len(o.args) != nargs {
		return o, usagef("usage: floo %s %s", o.cmd, c.args)
	}
	if o.n < 0 {
		return o, usagef("-n must not be negative")
	}
	if o.passwordStdin && len(o.args) == 2 {
		return o, usagef("%s: give the password either as an argument or with -password-stdin, not both", o.cmd)
	}
	return o, nil
}

func commandSpec(name string) command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return command{}
}

// runIn is the whole program: it returns the exit status. stdin is where
// register and login read a password not given as an argument (nil: none);
// getenv reads the environment (tests pass their own).
func runIn(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	o, err := parseArgs(args)
	if err == nil && o.help {
		printUsage(stdout)
		return exitOK
	}
	if err == nil {
		err = o.resolve(getenv)
	}
	if err != nil {
		fmt.Fprintln(stderr, "floo:", err)
		fmt.Fprintln(stderr, "Run 'floo -h' for usage.")
		return exitUsage
	}
	if o.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.timeout)
		defer cancel()
	}
	a := &app{o: o, stdin: stdin, stdout: stdout, stderr: stderr}
	err = a.dispatch(ctx)
	if err == nil {
		return exitOK
	}
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintln(stderr, "floo:", err)
		return exitUsage
	}
	var qe *queuedError
	if errors.As(err, &qe) {
		fmt.Fprintln(stderr, "floo:", qe)
		return exitQueued
	}
	var le *loginError
	if errors.As(err, &le) {
		fmt.Fprintln(stderr, "floo:", le)
		return exitError
	}
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		fmt.Fprintf(stderr, "floo: timed out after %s (see -timeout): %s\n", o.timeout, describe(err))
	case ctx.Err() != nil:
		fmt.Fprintln(stderr, "floo: interrupted:", describe(err))
	default:
		fmt.Fprintln(stderr, "floo:", describe(err))
	}
	return exitError
}

// resolve applies the environment and the defaults to what the flags left
// empty. Values stored by login are applied later, once the home is open.
func (o *options) resolve(getenv func(string) string) error {
	env := func(k string) string { return strings.TrimSpace(getenv(k)) }
	if o.server == "" {
		o.server = env("FLOO_SERVER")
	}
	if o.appID == "" {
		o.appID = env("FLOO_APP_ID")
	}
	if o.logLevel == "" {
		o.logLevel = env("FLOO_LOG_LEVEL")
	}
	if o.logLevel == "" {
		o.logLevel = string(core.LogWarn)
	}
	switch core.LogLevel(o.logLevel) {
	case core.LogDebug, core.LogInfo, core.LogWarn, core.LogError, core.LogOff:
	default:
		return usagef("-log-level: unknown level %q", o.logLevel)
	}
	if o.server != "" {
		if _, err := dnsURL(o.server); err != nil {
			return err
		}
	}
	if o.home == "" {
		o.home = env("FLOO_HOME")
	}
	if o.home == "" {
		home := env("HOME")
		if home == "" {
			var err error
			if home, err = os.UserHomeDir(); err != nil {
				return fmt.Errorf("no home directory: set FLOO_HOME or -home")
			}
		}
		o.home = filepath.Join(home, ".floo")
	}
	if o.device == "" {
		o.device = "cli"
		if o.cmd == "listen" {
			o.device = "listen"
		}
	}
	if strings.ContainsAny(o.device, "@/\\ \t") {
		return usagef("-device: %q: use letters, digits, '-' and '_'", o.device)
	}
	if o.timeout < 0 {
		o.timeout = defaultTimeout
		if o.cmd == "listen" {
			o.timeout = 0
		}
	}
	if o.cmd == "history" && o.n == 0 {
		o.n = core.DefaultHistoryPageSize
	}
	return nil
}

// dnsURL turns the -server value into the DNS URL core wants: a URL whose
// path ends in /app_dns is used as given, any other http(s) URL is a base
// URL and gets /v2/app_dns appended (REST.md §3).
func dnsURL(server string) (string, error) {
	u, err := url.Parse(server)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", usagef("-server: %q is not an http(s) URL", server)
	}
	if strings.HasSuffix(u.Path, "/app_dns") {
		return server, nil
	}
	u.RawQuery, u.Fragment = "", ""
	return strings.TrimSuffix(u.String(), "/") + "/v2/app_dns", nil
}

// conversation parses "<uid>" or "group:<gid>".
func conversation(s string) (id uint64, toType string, err error) {
	toType = core.ToRoster
	if rest, ok := strings.CutPrefix(s, "group:"); ok {
		s, toType = rest, core.ToGroup
	}
	id, err = strconv.ParseUint(s, 10, 64)
	if err != nil || id == 0 {
		return 0, "", usagef("%q is not a user id or group:<group id>", s)
	}
	return id, toType, nil
}

// describe renders an error for the terminal, with a hint for the common
// cases.
func describe(err error) string {
	// core's errors already start with "floo: ", as does every line here.
	msg := strings.TrimPrefix(err.Error(), "floo: ")
	switch {
	case core.IsCode(err, core.InvalidToken):
		msg += " (the session expired: run floo login)"
	case core.IsCode(err, core.UserKickedBySameDevice):
		msg += " (another floo with the same -device logged in)"
	case core.IsCode(err, core.UserTooManyDevice):
		msg += " (every device slot of the account is taken: floo devices lists them, floo devices rm <device_sn> frees one)"
	}
	return msg
}
