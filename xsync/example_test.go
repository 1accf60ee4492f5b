package xsync_test

import (
	"errors"
	"fmt"

	"github.com/flooim/floo/xsync"
)

// The heartbeat is an UNREAD frame without payload. The SDK always writes
// the command, so the frame is never empty.
func ExampleNewUnreadFrame() {
	fmt.Printf("% x\n", xsync.NewUnreadFrame().Marshal())
	// Output: 18 00
}

// Sending a chat message: a SYNC frame whose SyncUL carries one Meta.
func ExampleMarshalFrame() {
	me, peer := &xsync.XID{Uid: 1001, DeviceSN: 2}, &xsync.XID{Uid: 1002}
	body := &xsync.MessageBody{Type: xsync.MsgChat, Ctype: xsync.CTypeText, Content: "hi"}
	meta := xsync.NewMessageMeta(1735689600123000, me, peer, 1735689600123, body)
	wire := xsync.MarshalFrame(xsync.CommandSync, &xsync.SyncUL{Meta: meta})
	fmt.Println(len(wire), "bytes")
	// Output: 44 bytes
}

// Reading a frame from the server: decode the frame, then its payload by
// command, then each meta's payload by namespace.
func ExampleDecodeFrame() {
	body := &xsync.MessageBody{Type: xsync.MsgChat, Content: "hello"}
	dl := &xsync.SyncDL{
		Status: &xsync.Status{Code: xsync.StatusOK},
		Xid:    &xsync.XID{Uid: 1002},
		Metas:  []*xsync.Meta{xsync.NewMessageMeta(42, &xsync.XID{Uid: 1002}, &xsync.XID{Uid: 1001}, 1735689600000, body)},
	}
	wire := xsync.NewSyncDLFrame(dl).Marshal()

	f, err := xsync.DecodeFrame(wire)
	if err != nil {
		panic(err)
	}
	got, err := f.SyncDL()
	if err != nil {
		panic(err)
	}
	if err := got.Status.Err(); err != nil {
		panic(err)
	}
	for _, m := range got.Metas {
		b, err := m.MessageBody()
		if err != nil {
			panic(err)
		}
		fmt.Println(xsync.FormatID(m.Id), m.Ns, b.Type, b.Content)
	}
	// Output: 42 MESSAGE CHAT hello
}

// A non-OK status becomes an *xsync.Error that errors.Is matches by code.
func ExampleStatus_Err() {
	st := &xsync.Status{Code: xsync.StatusUnauthorized, Reason: xsync.ReasonNotLoggedIn}
	err := st.Err()
	fmt.Println(err)
	fmt.Println(errors.Is(err, &xsync.Error{Code: xsync.StatusUnauthorized}), st.LoginClass())
	// Output:
	// xsync: status UNAUTHORIZED: you must login first
	// true recoverable
}
