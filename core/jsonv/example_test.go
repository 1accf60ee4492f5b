package jsonv_test

import (
	"fmt"

	"github.com/flooim/floo/core/jsonv"
)

func ExampleParseString() {
	// A REST reply (REST.md §2.4): read the code, then the data.
	v, err := jsonv.ParseString(`{"code":200,"message":null,"data":{"user_id":"42","token":"abc"}}`)
	if err != nil {
		panic(err)
	}
	if code, _ := v.Get("code").AsInt64(); code != 200 {
		msg, _ := v.Get("message").AsString()
		fmt.Println("business error", code, msg)
		return
	}
	uid, _ := v.GetPath("data", "user_id").AsInt64() // a number or a decimal string
	token, _ := v.GetPath("data", "token").Str()
	_, ok := v.GetPath("data", "expire", "at").Str()
	fmt.Println(uid, token, ok)
	// Output: 42 abc false
}

func ExampleParseString_error() {
	_, err := jsonv.ParseString(`{"a":[1,2,]}`)
	fmt.Println(err)
	// Output: jsonv: invalid character ']' looking for beginning of value at offset 10
}

func ExampleValue_Uint64() {
	// Janus ids in RTC signals are 64-bit and must stay exact (PROTOCOL.md §15).
	v, _ := jsonv.ParseString(`{"janus":"success","session_id":18446744073709551615}`)
	id, ok := v.Get("session_id").Uint64()
	fmt.Println(id, ok)
	fmt.Println(v.Set("janus", jsonv.String("ack")))
	// Output:
	// 18446744073709551615 true
	// {"janus":"ack","session_id":18446744073709551615}
}

func ExampleWriter() {
	var w jsonv.Writer
	w.BeginObject()
	w.Key("group_id")
	w.Int(10001)
	w.Key("user_list")
	w.BeginArray()
	for _, uid := range []int64{1, 2, 3} {
		w.Int(uid)
	}
	w.EndArray()
	w.Key("reason")
	w.String("line 1\nline \"2\"")
	w.EndObject()
	fmt.Println(string(w.Bytes()))
	// Output: {"group_id":10001,"user_list":[1,2,3],"reason":"line 1\nline \"2\""}
}

func ExampleMergeStrings() {
	// An APPEND edit merges config JSON into the stored message (PROTOCOL.md §9.3).
	stored := `{"mentionAll":false,"mentionList":[7],"ios":{"mutable_content":true}}`
	fmt.Println(jsonv.MergeStrings(stored, `{"mentionList":[8,9],"ios":{"badge":1}}`))
	fmt.Println(jsonv.MergeStrings(stored, `null`) == stored)
	// Output:
	// {"mentionAll":false,"mentionList":[8,9],"ios":{"mutable_content":true,"badge":1}}
	// true
}

func ExampleObject() {
	v := jsonv.Object(
		jsonv.Field("rtc", jsonv.String("call")),
		jsonv.Field("room", jsonv.Uint(9007199254740993)),
		jsonv.Field("peers", jsonv.Array(jsonv.Int(1), jsonv.Int(2))),
	)
	fmt.Println(v)
	for k, x := range v.Members() {
		fmt.Println(k, x.Kind())
	}
	// Output:
	// {"rtc":"call","room":9007199254740993,"peers":[1,2]}
	// rtc string
	// room number
	// peers array
}
