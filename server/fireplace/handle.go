package fireplace

import (
	"github.com/flooim/floo/xsync"
)

// Reasons of ERRORS.md §3.3 and a few of the gateway's own. The official
// clients and the SDK match the listed ones exactly; never reword them.
const (
	reasonNotLoggedIn     = "you must login first"
	reasonNotFriend       = "not friend"
	reasonBlocked         = "blocked"
	reasonUserNotExist    = "user not exist"
	reasonGroupNotExist   = "group not exist"
	reasonNotMember       = "not group member"
	reasonPermission      = "permission denied"
	reasonGroupBanned     = "group banned"
	reasonMsgNotFound     = "message not found"
	reasonInvalidType     = "invalid message type"
	reasonRecalled        = "message recalled"
	reasonRecallTimeLimit = "recall time limit exceeded"
	reasonRecallDisabled  = "recall disabled"
	reasonRTC             = "rtc not supported"

	reasonRateLimit   = "rate limit exceeded"
	reasonTooLarge    = "message too large"
	reasonBadPayload  = "payload could not be decoded"
	reasonCensored    = "content censored"
	reasonEncrypted   = "encrypted or compressed frames are not supported"
	reasonVersion     = "unsupported protocol version"
	reasonInternal    = "internal error"
	reasonNoClientMID = "meta id (client_mid) is required"
	reasonBadNS       = "namespace not accepted from clients"
)

// status returns a Status with an explicit code, as every reply needs
// (PROTOCOL.md §17.1).
func status(code xsync.StatusCode, reason string) *xsync.Status {
	return &xsync.Status{Code: code, Reason: reason}
}

var statusOK = &xsync.Status{Code: xsync.StatusOK}

// handle processes one binary message.
func (c *conn) handle(data []byte) {
	f, err := xsync.DecodeFrame(data)
	if err != nil {
		// The command is unknown, so the answer cannot be its reply type;
		// an UnreadDL is the reply every client handles without state.
		c.send(xsync.CommandUnread, &xsync.UnreadDL{Status: status(xsync.StatusPBParserError, err.Error())})
		return
	}
	switch f.Command {
	case xsync.CommandUnread, xsync.CommandSync, xsync.CommandProvision:
	default:
		// NOTICE is never sent by clients; unknown commands are ignored.
		c.g.log.Debug("fireplace: ignoring frame", "command", int32(f.Command))
		return
	}
	if f.Vsn != xsync.VsnXsyncV1 {
		c.refuse(f, status(xsync.StatusUnknownCommand, reasonVersion))
		return
	}
	if f.CompressMethod != xsync.CompressNone || f.EncryptMethod != xsync.EncryptNone {
		c.refuse(f, status(xsync.StatusEncryptMethodUnsupported, reasonEncrypted))
		return
	}
	if f.Command != xsync.CommandSync {
		// Everything but a send waits for the sends in flight (handleSend).
		c.waitSends()
	}
	if f.Command == xsync.CommandProvision {
		c.provision(f)
		return
	}
	if uid, _ := c.session(); uid == 0 {
		c.refuse(f, status(xsync.StatusUnauthorized, reasonNotLoggedIn))
		return
	}
	if c.tokenExpired() {
		// The frame is not processed: the session ended with its token.
		c.endSession(reasonTokenExpired)
		return
	}
	switch f.Command {
	case xsync.CommandUnread:
		c.unread()
	case xsync.CommandSync:
		ul, err := f.SyncUL()
		if err != nil {
			c.send(xsync.CommandSync, &xsync.SyncDL{Status: status(xsync.StatusPBParserError, err.Error())})
			return
		}
		if ul.Meta == nil {
			c.waitSends()
		}
		switch {
		case ul.Meta != nil:
			c.handleSend(ul.Meta)
		case ul.IsFullSync:
			c.history(ul)
		default:
			c.pull(ul)
		}
	}
}

// refuse answers a frame with its command's reply type carrying st, without
// processing it. For a send the reply names its client_mid so the client
// can fail that send; for a pull it echoes the stream.
func (c *conn) refuse(f *xsync.Frame, st *xsync.Status) {
	switch f.Command {
	case xsync.CommandProvision:
		c.send(xsync.CommandProvision, &xsync.Provision{Status: st})
	case xsync.CommandUnread:
		c.send(xsync.CommandUnread, &xsync.UnreadDL{Status: st})
	case xsync.CommandSync:
		dl := &xsync.SyncDL{Status: st}
		if ul, err := f.SyncUL(); err == nil {
			if ul.Meta != nil {
				dl.ClientMid = ul.Meta.Id
			} else {
				dl.Xid = ul.Xid
				dl.IsFullSync = ul.IsFullSync
			}
		}
		c.send(xsync.CommandSync, dl)
	}
}
