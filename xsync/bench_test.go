package xsync

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// benchSyncDL is a realistic sync page: 100 text messages between two users
// and a group, ids and timestamps of production magnitude, 20-80 byte texts,
// and an ext on every fourth message.
func benchSyncDL() *SyncDL {
	r := rand.New(rand.NewPCG(1, 2))
	const words = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor 你好 世界 "
	alice := &XID{Uid: 1751234567890123, DeviceSN: 3}
	bob := &XID{Uid: 1751234567890456, DeviceSN: 1}
	dl := &SyncDL{Status: &Status{Code: StatusOK}, Xid: &XID{Uid: bob.Uid}, NextKey: 1700000000000000 << 10}
	for i := range 100 {
		n := 20 + r.IntN(61)
		start := r.IntN(len(words) - 80)
		body := &MessageBody{Type: MsgChat, Ctype: CTypeText, Content: strings.ToValidUTF8(words[start:start+n], "?"), Status: MsgStatusDelivered}
		if i%4 == 0 {
			body.Ext = `{"trace":"` + FormatID(r.Uint64()) + `"}`
		}
		from, to := alice, &XID{Uid: bob.Uid}
		if r.IntN(2) == 0 {
			from, to = bob, &XID{Uid: alice.Uid}
		}
		id := uint64(1700000000000000+i*997) << 10
		dl.Metas = append(dl.Metas, NewMessageMeta(id, from, to, 1735689600000+uint64(i)*1234, body))
	}
	return dl
}

func benchProvision() *Provision {
	return &Provision{
		Xid: &XID{Uid: 1751234567890123, DeviceSN: 3}, Token: strings.Repeat("YWJjZGVm", 24), OsType: OsWeb,
		SdkVsn: "4.0.0", IsManualLogin: true, DeviceGuid: "3f1c2b6e-8d4a-4c1e-9b7a-2e5f6a7b8c9d",
		DeviceInfo:    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36",
		LastLoginTime: 1735689600000,
	}
}

func benchMessageBody() *MessageBody {
	return &MessageBody{
		Type: MsgGroupChat, Ctype: CTypeImage, Content: "look at this",
		Attachment: `{"url":"https://files.example.com/a/b/c/d.png?file_sign=abc","dName":"d.png","fLen":123456,"width":1280,"height":720}`,
		Config:     `{"mentionAll":false,"mentionList":[1751234567890456],"senderNickname":"Alice"}`,
		Ext:        `{"k":"v"}`, SenderName: "Alice", Priority: 1, Status: MsgStatusDelivered,
	}
}

func benchEncode(b *testing.B, m Marshaler) {
	b.Run("Marshal", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(m.Size()))
		for b.Loop() {
			_ = m.Marshal()
		}
	})
	b.Run("AppendReuse", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(m.Size()))
		buf := make([]byte, 0, m.Size())
		for b.Loop() {
			buf = m.AppendMarshal(buf[:0])
		}
	})
}

func benchDecode(b *testing.B, enc []byte, fresh func() message) {
	b.ReportAllocs()
	b.SetBytes(int64(len(enc)))
	for b.Loop() {
		if err := fresh().Unmarshal(enc); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSyncDLEncode(b *testing.B) { benchEncode(b, benchSyncDL()) }

func BenchmarkSyncDLDecode(b *testing.B) {
	benchDecode(b, benchSyncDL().Marshal(), func() message { return new(SyncDL) })
}

// BenchmarkSyncFrameDecodeAll is what a client does with one sync frame:
// decode the frame, its SyncDL and every message body.
func BenchmarkSyncFrameDecodeAll(b *testing.B) {
	wire := NewSyncDLFrame(benchSyncDL()).Marshal()
	b.ReportAllocs()
	b.SetBytes(int64(len(wire)))
	for b.Loop() {
		f, err := DecodeFrame(wire)
		if err != nil {
			b.Fatal(err)
		}
		dl, err := f.SyncDL()
		if err != nil {
			b.Fatal(err)
		}
		for _, m := range dl.Metas {
			if _, err := m.MessageBody(); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkProvisionEncode(b *testing.B) { benchEncode(b, benchProvision()) }

func BenchmarkProvisionDecode(b *testing.B) {
	benchDecode(b, benchProvision().Marshal(), func() message { return new(Provision) })
}

func BenchmarkMessageBodyEncode(b *testing.B) { benchEncode(b, benchMessageBody()) }

func BenchmarkMessageBodyDecode(b *testing.B) {
	benchDecode(b, benchMessageBody().Marshal(), func() message { return new(MessageBody) })
}
