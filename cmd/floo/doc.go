// Command floo is a terminal client of the Floo IM service for scripts,
// bots and operators, built on the client engine (core) and its native
// transports (core/native).
//
//	floo register <name> [<password>] [-password-stdin]
//	floo login <name> [<password>] [-password-stdin]
//	floo send <uid|group:gid> <text>
//	floo listen [-n N]
//	floo history <uid|group:gid> [-n N] [-before ID]
//	floo devices [rm <device_sn>]
//	floo search <name>
//	floo friends [requests | add <uid> [<message>] | accept <uid> | remove <uid>]
//	floo groups [create <name> [<uid>...] | invite <gid> <uid>... | leave <gid>]
//	floo logout
//
// login stores the session (user id, token, device identity) in
// $FLOO_HOME, by default ~/.floo; the other commands resume it. The server
// is given by -server (a DNS URL ending in /app_dns, or a base URL to which
// /v2/app_dns is appended) or $FLOO_SERVER, and the app id by -app-id or
// $FLOO_APP_ID; login remembers both for later commands. Without any, the
// public Lanying service and the demo app are used.
//
// Output is JSON, one object per line (messages, the registered user id,
// the login result), so that scripts can pipe it into jq; diagnostics go
// to standard error. floo -h documents every flag.
//
// Exit status: 0 on success, 1 on an error (network, server refusal,
// expired session), 2 on a usage error, 3 when send could not deliver its
// message now (the server could not be reached, or -timeout passed before
// the ack): the message is kept and goes out, with its client_mid, with
// the next command that connects, whichever it is; send then prints
// {"queued":true,"client_mid":...} instead of the message.
//
// Each device slot (-device) keeps a local store in FLOO_HOME
// (store.<device>.db, SQLite): the conversations, unread counts and recent
// messages the engine loads before connecting, and the outbox. A command
// that connects waits up to 5 s for the acks of the sends it still has
// pending; logout wipes the user's data from every slot's store.
//
// Every command but register and logout logs in first. A login that cannot
// complete prints one line and exits 1, e.g.
//
//	floo: login failed: cannot connect to ws://127.0.0.1:8080: connection refused (ServerConnectFailed)
//
// The name in brackets is the SDK code: ServerDNSFailed or
// ServerConnectFailed after three immediate failures in a row (refused,
// unknown host), SignInTimeout when -timeout passed first (listen, which
// has no -timeout by default, gives its login 30 s), or the server's
// refusal (UserAuthFailed, InvalidToken...). Once logged in, listen
// reconnects by itself without end.
//
// # Passwords
//
// register and login take the password as an argument only for
// convenience: other users of the machine see it in ps, and the shell
// keeps it in its history. Without it they read one line from standard
// input: after a "Password: " prompt on standard error, without echo
// (twice for register), when standard input is a terminal; as it comes otherwise, so that a
// script can pipe it in (printf '%s\n' "$PW" | floo login alice).
// -password-stdin reads standard input even when it is a terminal. The
// -timeout of the command bounds the wait for it.
//
// # Users, friends and groups
//
// Apps address users and groups by numeric id. floo search <name> prints
// the id of a user name: {"user_id", "username", "nick_name", "relation"}
// (friend, stranger, blocked, or deleted_friend: a friend who removed the
// user). floo friends prints one such line per friend, by id.
//
// floo friends add <uid> [<message>] asks uid to be a friend
// (POST /roster/apply). Users who let anyone add them (auth_mode 0) are
// friends at once and the command prints {"user_id", "status":"friend"};
// the others, which on the reference server is every user by default,
// get a request and it prints "status":"requested". They see it with
// floo friends requests (the requests received, oldest first: user_id,
// username, reason, status pending, accepted or declined, expires_at in
// ms) and take it with floo friends accept <uid>. floo friends remove
// <uid> ends a friendship and prints {"removed": uid}.
//
// floo groups prints the joined groups, one line each: {"group_id", "name",
// "owner_id", "members"} (the member count). floo groups create <name>
// [<uid>...] creates a private group with those members and prints its
// line. floo groups invite <gid> <uid>... prints {"group_id", "user_id",
// "ok", "reason"} per user: ok when the user joined, or got an invitation
// to accept when their settings ask for one; the exit status is 1 when
// any user could not be invited. floo groups leave <gid> prints
// {"left": gid}; the owner cannot leave.
//
// # Devices
//
// Each installation of a client is a device of its user, and the server
// closes a device's older connection when the same device logs in again.
// So that a running "floo listen" is not kicked out by a "floo send" in
// another terminal, listen logs in as the device "listen" and the other
// commands as "cli", both kept in the same home directory; -device picks
// another name, for example to run two listeners.
//
// floo devices prints the user's registered devices, one JSON line each:
// device_sn, platform, user_agent, last_seen (ms, and last_seen_at in
// UTC), online, and this_device for the slot the command ran as. floo
// devices rm <device_sn> removes another device: its session ends, the
// tokens issued to it are revoked and its slot is free for a new device
// (the reference server allows 10 per user by default, see
// server/README.md "Devices"). Removing a slot of the same home ends that
// slot's command but leaves the shared session to the others.
package main
