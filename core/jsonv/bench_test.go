package jsonv

import (
	"encoding/json"
	"strconv"
	"testing"
)

// rosterEnvelope returns a /roster/list style reply (REST.md §2.4, §12) with
// n RosterItems, about 300 bytes each.
func rosterEnvelope(n int) []byte {
	var w Writer
	w.BeginObject()
	w.Key("code")
	w.Int(200)
	w.Key("message")
	w.Null()
	w.Key("data")
	w.BeginArray()
	for i := range n {
		id := int64(1_000_000_000 + i)
		w.BeginObject()
		w.Key("user_id")
		w.Int(id)
		w.Key("username")
		w.String("user" + strconv.Itoa(i))
		w.Key("nick_name")
		w.String("Nick 名字 " + strconv.Itoa(i))
		w.Key("avatar")
		w.String("https://cdn.example.com/avatar/" + strconv.FormatInt(id, 10) + ".png")
		w.Key("description")
		w.String("line one\nline \"two\"")
		w.Key("public_info")
		w.String("")
		w.Key("alias")
		w.String("")
		w.Key("ext")
		w.String(`{"tag":"vip","level":3}`)
		w.Key("mute_notification")
		w.Bool(i%3 == 0)
		w.Key("auth_mode")
		w.Int(int64(i % 4))
		w.Key("auth_question")
		w.String("")
		w.Key("relation")
		w.Int(0)
		w.EndObject()
	}
	w.EndArray()
	w.Key("version")
	w.Int(42)
	w.EndObject()
	return w.Bytes()
}

const benchConfig = `{"mentionAll":false,"mentionList":[1000000001,1000000002,1000000003],` +
	`"mentionedMessage":"@Amy @Bob look at this","pushMessage":"Carol: look at this",` +
	`"senderNickname":"Carol","groupMemberList":[1000000001,1000000002,1000000003,1000000004,1000000005,1000000006],` +
	`"ios":{"mutable_content":true},"callId":"9223372036854775807"}`

func benchPair(b *testing.B, doc []byte) {
	b.Run("jsonv/parse", func(b *testing.B) {
		b.SetBytes(int64(len(doc)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Parse(doc); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("jsonv/parse+encode", func(b *testing.B) {
		b.SetBytes(int64(len(doc)))
		b.ReportAllocs()
		var buf []byte
		for b.Loop() {
			v, err := Parse(doc)
			if err != nil {
				b.Fatal(err)
			}
			buf = v.AppendJSON(buf[:0])
		}
	})
	b.Run("encoding_json/parse", func(b *testing.B) {
		b.SetBytes(int64(len(doc)))
		b.ReportAllocs()
		for b.Loop() {
			var m map[string]any
			if err := json.Unmarshal(doc, &m); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding_json/parse+encode", func(b *testing.B) {
		b.SetBytes(int64(len(doc)))
		b.ReportAllocs()
		for b.Loop() {
			var m map[string]any
			if err := json.Unmarshal(doc, &m); err != nil {
				b.Fatal(err)
			}
			if _, err := json.Marshal(m); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkRoster200(b *testing.B) { benchPair(b, rosterEnvelope(200)) }

func BenchmarkConfig(b *testing.B) { benchPair(b, []byte(benchConfig)) }

// BenchmarkRosterRead measures what the client actually does with a roster
// reply: parse it and read every item's fields.
func BenchmarkRosterRead(b *testing.B) {
	doc := rosterEnvelope(200)
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		v, err := Parse(doc)
		if err != nil {
			b.Fatal(err)
		}
		if c, _ := v.Get("code").Int64(); c != 200 {
			b.Fatal("code", c)
		}
		n := 0
		for _, item := range v.Get("data").Elements() {
			id, ok := item.Get("user_id").Int64()
			nick, _ := item.Get("nick_name").Str()
			mute, _ := item.Get("mute_notification").AsBool()
			if !ok || nick == "" || (mute && id < 0) {
				b.Fatal("bad item")
			}
			n++
		}
		if n != 200 {
			b.Fatal("items", n)
		}
	}
}

func BenchmarkMergeConfig(b *testing.B) {
	src := `{"mentionList":[1000000007],"pushMessage":"edited","ios":{"badge":1}}`
	b.ReportAllocs()
	for b.Loop() {
		_ = MergeStrings(benchConfig, src)
	}
}
