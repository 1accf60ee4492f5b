package xsync

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"flag"
	"math"
	"os"
	"reflect"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite testdata/golden.json from goldenVectors")

const goldenPath = "testdata/golden.json"

// goldenVector is one entry of testdata/golden.json; see testdata/README.md.
type goldenVector struct {
	Name  string          `json:"name"`
	Type  string          `json:"type"`
	Hex   string          `json:"hex"`
	Value json.RawMessage `json:"value"`
}

// Values reused inside nested vectors.
var (
	gAlice   = &XID{Uid: 1751234567890123, DeviceSN: 3}
	gBob     = &XID{Uid: 1751234567890456}
	gGroup   = &XID{Uid: 1759876543210001}
	gHello   = &MessageBody{Type: MsgChat, Content: "hello, 世界", Ctype: CTypeText, Ext: `{"k":"v"}`, Status: MsgStatusDelivered}
	gImage   = &MessageBody{Type: MsgGroupChat, Ctype: CTypeImage, Attachment: `{"url":"https://x/y.png","width":640,"height":480}`, Config: `{"mentionAll":true}`, Priority: 1}
	gRecall  = &MessageBody{Type: MsgOper, Operation: &MessageOperation{Type: OpRecall, Mid: 1793123456789012345, Xid: gBob}}
	gMsgMeta = &Meta{Id: 1793123456789012345, From: gAlice, To: gBob, Timestamp: 1735689600123, Ns: NSMessage, Payload: gHello.Marshal()}
	gImgMeta = &Meta{Id: 1793123456789012399, From: gBob, To: gGroup, Timestamp: 1735689600456, Ns: NSMessage, Payload: gImage.Marshal()}
	gGNMeta  = &Meta{Id: 1793123456789012400, From: &XID{}, To: gAlice, Timestamp: 1735689600789, Ns: NSGroupNotice,
		Payload: (&GroupNotice{Type: GroupNoticeJoined, Gid: gGroup, From: gBob, To: []*XID{gAlice}}).Marshal()}
	gSyncDL = &SyncDL{Status: &Status{Code: StatusOK}, Metas: []*Meta{gMsgMeta, gImgMeta, gGNMeta}, NextKey: 1793123456789012400, Xid: gBob}
	gLogin  = &Provision{Xid: &XID{Uid: gAlice.Uid}, Token: "YWJjZGVmZ2hpams", OsType: OsWeb, SdkVsn: "4.0.0", IsManualLogin: true,
		DeviceGuid: "3f1c2b6e-8d4a-4c1e-9b7a-2e5f6a7b8c9d", DeviceInfo: "Mozilla/5.0"}
)

// goldenVectors is the source of testdata/golden.json: at least two vectors
// per message type (UnreadUL has only one encoding), nested payloads included.
func goldenVectors() []struct {
	name string
	msg  message
} {
	return []struct {
		name string
		msg  message
	}{
		{"frame-heartbeat", NewUnreadFrame()},
		{"frame-notice-appendix-a", NewNoticeFrame(&Notice{Xid: &XID{Uid: 12345}})},
		{"frame-sync-dl-nested", NewSyncDLFrame(gSyncDL)},
		{"frame-provision-login", NewProvisionFrame(gLogin)},
		{"frame-send-message", NewSyncFrame(&SyncUL{Meta: &Meta{Id: 1735689600123000, From: gAlice, To: gBob, Timestamp: 1735689600123, Ns: NSMessage, Payload: gHello.Marshal()}})},
		{"frame-unread-dl", NewUnreadDLFrame(&UnreadDL{Status: &Status{Code: StatusOK}, Unread: []*ConversationUnread{{Xid: gBob, N: 2, Type: ConvChat}}})},
		{"frame-all-fields", &Frame{Vsn: VsnXsyncV2, CompressMethod: CompressZlib, Command: CommandProvision, Payload: []byte{1, 2}, EncryptMethod: EncryptAESCBC256, EncryptKey: []byte{0xff}, CheckSum: 4294967295, Tag: "tag"}},
		{"status-ok", &Status{Code: StatusOK}},
		{"status-not-logged-in", &Status{Code: StatusUnauthorized, Reason: ReasonNotLoggedIn}},
		{"status-future-code", &Status{Code: 42, Reason: "new"}},
		{"xid-appendix-a", &XID{Uid: 12345, DeviceSN: 1000123456}},
		{"xid-max", &XID{Uid: math.MaxUint64, DeviceSN: math.MaxUint32}},
		{"xid-empty", &XID{}},
		{"conversation-unread-group", &ConversationUnread{Xid: gGroup, N: 17, Type: ConvGroupChat}},
		{"conversation-unread-personal-stream", &ConversationUnread{Xid: &XID{}}},
		{"unread-ul-empty", &UnreadUL{}},
		{"unread-dl-list", &UnreadDL{Status: &Status{Code: StatusOK}, Unread: []*ConversationUnread{{Xid: gBob, N: 2, Type: ConvChat}, {Xid: gGroup, Type: ConvGroupChat}, {Xid: &XID{}}}}},
		{"unread-dl-unauthorized", &UnreadDL{Status: &Status{Code: StatusUnauthorized, Reason: ReasonNotLoggedIn}}},
		{"sync-ul-pull", &SyncUL{Xid: gBob, Key: 1793123456789012345}},
		{"sync-ul-history-appendix-a", &SyncUL{Xid: &XID{Uid: 12345}, IsFullSync: true, FullSyncNum: 20}},
		{"sync-ul-negative-page", &SyncUL{FullSyncNum: math.MinInt32}},
		{"sync-ul-send-recall", &SyncUL{Meta: &Meta{Id: 1735689600123001, From: gAlice, To: gBob, Timestamp: 1735689600999, Ns: NSMessage, Payload: gRecall.Marshal()}}},
		{"sync-dl-nested", gSyncDL},
		{"sync-dl-ack", &SyncDL{Status: &Status{Code: StatusOK}, ClientMid: 1735689600123000, ServerMid: 1793123456789012345, ServerTime: 1735689600130}},
		{"sync-dl-ack-failed", &SyncDL{Status: &Status{Code: StatusWordCensored, Reason: "censored"}, ClientMid: 1735689600123000}},
		{"sync-dl-all-scalars", &SyncDL{NextKey: 1, Xid: &XID{Uid: 2}, ClientMid: 3, ServerMid: 4, ServerTime: 5, IsFullSync: true, PrevMid: 6, IsEagerSync: true, EditTimestamp: 7}},
		{"notice-appendix-a", &Notice{Xid: &XID{Uid: 12345}}},
		{"notice-group", &Notice{Xid: gGroup}},
		{"provision-reply-appendix-a", &Provision{Status: &Status{Code: StatusOK}, Xid: &XID{Uid: 12345, DeviceSN: 1000123456}}},
		{"provision-login", gLogin},
		{"provision-all-fields", &Provision{Status: &Status{Code: StatusDeviceGUIDConflict}, Xid: gAlice, Password: "pw", Token: "tk", OsType: OsLinux, SdkVsn: "1", IsManualLogin: true, DeviceGuid: "g", DeviceNotifier: "n", DeviceToken: "d", DeviceInfo: "i", LastLoginTime: 1735689600000}},
		{"meta-message", gMsgMeta},
		{"meta-group-notice", gGNMeta},
		{"meta-conversation-delete", func() message {
			m := &Meta{Id: 1735689600123002, From: gAlice, To: &XID{Uid: gAlice.Uid}, Timestamp: 1735689601000}
			m.SetPayload(NSConversation, &Conversation{Type: ConversationOper, Operation: &ConversationOperation{Type: ConvOpDelete, Xid: gBob}})
			return m
		}()},
		{"message-operation-read-ack", &MessageOperation{Type: OpReadAck, Mid: 1793123456789012345, Xid: gBob}},
		{"message-operation-unknown-type", &MessageOperation{Type: 99}},
		{"message-body-text", gHello},
		{"message-body-image", gImage},
		{"message-body-recall", gRecall},
		{"message-body-all-fields", &MessageBody{Type: MsgChat, Content: "c", Ctype: CTypeRTC, Operation: &MessageOperation{}, Config: `{"action":"call"}`, Attachment: "{}", Ext: `{"input_status":"typing"}`, Qos: QoSAtMostOnce, SenderName: "Alice", IsSystem: true, Priority: 3, Status: MsgStatusRead, EditTimestamp: 1735689602000}},
		{"group-notice-joined", &GroupNotice{Type: GroupNoticeJoined, Gid: gGroup, From: gBob, To: []*XID{gAlice, gBob}}},
		{"group-notice-info-updated", &GroupNotice{Type: GroupNoticeInfoUpdated, Gid: gGroup, From: gAlice, Content: `{"property":"name","name":"Team"}`}},
		{"roster-notice-added", &RosterNotice{Type: RosterNoticeAdded, From: gAlice, To: []*XID{gBob}, RosterVsn: "v2"}},
		{"roster-notice-applied", &RosterNotice{Type: RosterNoticeApplied, From: gBob, To: []*XID{gAlice}, Content: "hi"}},
		{"user-notice-kicked", &UserNotice{Type: UserNoticeKickBySameDevice}},
		{"user-notice-info", &UserNotice{Type: UserNoticeInfoUpdated, Content: `{"nick_name":"A"}`}},
		{"info-telemetry", &Info{SdkVsn: "4.0.0", Network: NetWifi, Content: "{}"}},
		{"info-wire", &Info{Network: NetWire, Content: "x"}},
		{"conversation-operation-delete", &ConversationOperation{Type: ConvOpDelete, Xid: gBob}},
		{"conversation-operation-everywhere", &ConversationOperation{Type: ConvOpDeleteEverywhere, Xid: gGroup}},
		{"conversation-delete", &Conversation{Type: ConversationOper, Operation: &ConversationOperation{Type: ConvOpDelete, Xid: gBob}}},
		{"conversation-empty-operation", &Conversation{Operation: &ConversationOperation{}}},
		{"rtc-signal-video-room", &RtcSignal{Type: RtcSignalVideoRoom, Content: `{"janus":"message","session_id":9007199254740993}`, MediaServer: "wss://rtc.example/janus"}},
		{"rtc-signal-unknown-type", &RtcSignal{Type: 7, Content: "\u0000\u00ff"}},
	}
}

// TestGolden checks every vector of testdata/golden.json both ways, and that
// the file is what goldenVectors generates (run with -update to rewrite it).
func TestGolden(t *testing.T) {
	s := schema(t)
	var vecs []goldenVector
	for _, gv := range goldenVectors() {
		v := reflect.ValueOf(gv.msg).Elem()
		vecs = append(vecs, goldenVector{
			Name:  gv.name,
			Type:  v.Type().Name(),
			Hex:   hex.EncodeToString(gv.msg.Marshal()),
			Value: toJSON(s, v),
		})
	}
	generated, err := json.MarshalIndent(vecs, "", "  ")
	require.NoError(t, err)
	generated = append(generated, '\n')
	if *update {
		require.NoError(t, os.WriteFile(goldenPath, generated, 0o644))
		t.Logf("wrote %d vectors to %s", len(vecs), goldenPath)
	}

	file, err := os.ReadFile(goldenPath)
	require.NoError(t, err)
	var fromFile []goldenVector
	require.NoError(t, json.Unmarshal(file, &fromFile))

	perType := map[string]int{}
	names := map[string]bool{}
	for _, gv := range fromFile {
		t.Run(gv.Name, func(t *testing.T) {
			require.False(t, names[gv.Name], "duplicate name")
			names[gv.Name] = true
			perType[gv.Type]++
			want, err := fromJSON(s, gv.Type, gv.Value)
			require.NoError(t, err)
			enc, err := hex.DecodeString(gv.Hex)
			require.NoError(t, err)
			// hex -> value
			got := newMessage(t, gv.Type)
			require.NoError(t, got.Unmarshal(enc))
			assert.Equal(t, want, got)
			// value -> hex
			assert.Equal(t, gv.Hex, hex.EncodeToString(want.Marshal()))
		})
	}
	for _, r := range registry {
		min := 2
		if r.name == "UnreadUL" {
			min = 1
		}
		assert.GreaterOrEqual(t, perType[r.name], min, "vectors of %s", r.name)
	}
	assert.Equal(t, string(generated), string(file), "%s is stale: run go test ./xsync -run TestGolden -update", goldenPath)
}

// toJSON renders the struct v with proto field names in schema order; zero
// scalars are left out, present messages are written even when empty, 64-bit
// integers are decimal strings, bytes are hex and enums are numbers.
func toJSON(s *protoSchema, v reflect.Value) json.RawMessage {
	pm := s.byName[v.Type().Name()]
	var b bytes.Buffer
	b.WriteByte('{')
	for i, pf := range pm.Fields {
		f := goField(v, i)
		if f.IsZero() {
			continue
		}
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		key, _ := json.Marshal(pf.Name)
		b.Write(key)
		b.WriteByte(':')
		switch f.Kind() {
		case reflect.Uint64:
			b.WriteString(`"` + strconv.FormatUint(f.Uint(), 10) + `"`)
		case reflect.Uint32:
			b.WriteString(strconv.FormatUint(f.Uint(), 10))
		case reflect.Int32:
			b.WriteString(strconv.FormatInt(f.Int(), 10))
		case reflect.Bool:
			b.WriteString("true")
		case reflect.String:
			// Strings that are not valid UTF-8 cannot be JSON strings; the
			// vectors avoid them except where written as bytes.
			q, _ := json.Marshal(f.String())
			b.Write(q)
		case reflect.Pointer:
			b.Write(toJSON(s, f.Elem()))
		case reflect.Slice:
			if f.Type().Elem().Kind() == reflect.Uint8 {
				b.WriteString(`"` + hex.EncodeToString(f.Bytes()) + `"`)
				break
			}
			b.WriteByte('[')
			for j := 0; j < f.Len(); j++ {
				if j > 0 {
					b.WriteByte(',')
				}
				b.Write(toJSON(s, f.Index(j).Elem()))
			}
			b.WriteByte(']')
		}
	}
	b.WriteByte('}')
	return b.Bytes()
}

// fromJSON is the inverse of toJSON; it rejects unknown keys and wrong types.
func fromJSON(s *protoSchema, typ string, raw json.RawMessage) (message, error) {
	m := newMessageNoT(typ)
	if m == nil {
		return nil, &wrapError{msg: "unknown type " + typ}
	}
	return m, setJSON(s, reflect.ValueOf(m).Elem(), raw)
}

func newMessageNoT(name string) message {
	for _, r := range registry {
		if r.name == name {
			return r.new()
		}
	}
	return nil
}

func setJSON(s *protoSchema, v reflect.Value, raw json.RawMessage) error {
	pm := s.byName[v.Type().Name()]
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return err
	}
	for key, val := range obj {
		idx := -1
		for i, pf := range pm.Fields {
			if pf.Name == key {
				idx = i
			}
		}
		if idx < 0 {
			return &wrapError{msg: pm.Name + ": unknown key " + key}
		}
		f := goField(v, idx)
		var err error
		switch f.Kind() {
		case reflect.Uint64:
			var str string
			if err = json.Unmarshal(val, &str); err == nil {
				var n uint64
				n, err = strconv.ParseUint(str, 10, 64)
				f.SetUint(n)
			}
		case reflect.Uint32:
			var n uint32
			err = json.Unmarshal(val, &n)
			f.SetUint(uint64(n))
		case reflect.Int32:
			var n int32
			err = json.Unmarshal(val, &n)
			f.SetInt(int64(n))
		case reflect.Bool:
			var x bool
			err = json.Unmarshal(val, &x)
			f.SetBool(x)
		case reflect.String:
			var x string
			err = json.Unmarshal(val, &x)
			f.SetString(x)
		case reflect.Pointer:
			p := reflect.New(f.Type().Elem())
			err = setJSON(s, p.Elem(), val)
			f.Set(p)
		case reflect.Slice:
			if f.Type().Elem().Kind() == reflect.Uint8 {
				var x string
				if err = json.Unmarshal(val, &x); err == nil {
					var b []byte
					b, err = hex.DecodeString(x)
					f.SetBytes(b)
				}
				break
			}
			var items []json.RawMessage
			if err = json.Unmarshal(val, &items); err != nil {
				break
			}
			sl := reflect.MakeSlice(f.Type(), len(items), len(items))
			for j, it := range items {
				p := reflect.New(f.Type().Elem().Elem())
				if err = setJSON(s, p.Elem(), it); err != nil {
					break
				}
				sl.Index(j).Set(p)
			}
			f.Set(sl)
		}
		if err != nil {
			return &wrapError{err: err, msg: pm.Name + "." + key + ": " + err.Error()}
		}
	}
	return nil
}
