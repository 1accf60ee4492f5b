package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// maxPasswordLine bounds the line read as a password, so that a command
// whose standard input is a large file fails instead of reading it all.
const maxPasswordLine = 4096

// passwordArgsOK accepts "<name>" and "<name> <password>".
func passwordArgsOK(args []string) bool { return len(args) == 1 || len(args) == 2 }

// password returns the password of register and login. An argument is
// used as given, though other users of the machine see it in ps and the
// shell keeps it in its history. Otherwise it is one line of standard
// input: typed after a prompt on standard error, without echo, when
// standard input is a terminal (and -password-stdin is not given), or
// read as it comes, for scripts that pipe it in.
func (a *app) password(ctx context.Context) (string, error) {
	if len(a.o.args) == 2 {
		return a.o.args[1], nil
	}
	if a.stdin == nil {
		return "", usagef("%s: no password: give it on standard input or as an argument", a.o.cmd)
	}
	if f, ok := a.stdin.(*os.File); ok && !a.o.passwordStdin && term.IsTerminal(int(f.Fd())) {
		return a.promptPassword(ctx, f)
	}
	line, err := waitRead(ctx, func() (string, error) { return readLine(a.stdin) })
	if err != nil {
		return "", fmt.Errorf("reading the password from standard input: %w", err)
	}
	if line == "" {
		return "", usagef("%s: no password on standard input (an empty line or none)", a.o.cmd)
	}
	return line, nil
}

// promptPassword asks for the password on the terminal f without echo;
// register asks twice, as a typing error there would lock the account.
// The read cannot be interrupted, so an interrupt or the -timeout gives
// up waiting for it and restores the terminal's echo itself.
func (a *app) promptPassword(ctx context.Context, f *os.File) (string, error) {
	fd := int(f.Fd())
	state, err := term.GetState(fd)
	if err != nil {
		return "", err
	}
	ask := func(prompt string) (string, error) {
		fmt.Fprint(a.stderr, prompt)
		line, err := waitRead(ctx, func() (string, error) {
			b, err := term.ReadPassword(fd)
			return string(b), err
		})
		fmt.Fprintln(a.stderr)
		if ctx.Err() != nil {
			term.Restore(fd, state)
		}
		return line, err
	}
	line, err := ask("Password: ")
	if err != nil {
		return "", err
	}
	if line == "" {
		return "", usagef("%s: no password typed", a.o.cmd)
	}
	if a.o.cmd == "register" {
		again, err := ask("Password again: ")
		if err != nil {
			return "", err
		}
		if again != line {
			return "", usagef("register: the passwords typed differ")
		}
	}
	return line, nil
}

// waitRead runs read, returning early with ctx's error when ctx ends
// first; the read then goes on in the background until the process exits.
func waitRead(ctx context.Context, read func() (string, error)) (string, error) {
	type result struct {
		s   string
		err error
	}
	done := make(chan result, 1)
	go func() {
		s, err := read()
		done <- result{s, err}
	}()
	select {
	case r := <-done:
		return r.s, r.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// readLine reads one line from r without its "\n" or "\r\n"; the end of
// the input ends the line too. It reads a byte at a time, so that nothing
// after the line is consumed.
func readLine(r io.Reader) (string, error) {
	var b strings.Builder
	var c [1]byte
	for {
		n, err := r.Read(c[:])
		if n == 1 {
			if c[0] == '\n' {
				break
			}
			if b.Len() == maxPasswordLine {
				return "", fmt.Errorf("the line is longer than %d bytes", maxPasswordLine)
			}
			b.WriteByte(c[0])
			continue
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", err
		}
	}
	return strings.TrimSuffix(b.String(), "\r"), nil
}
