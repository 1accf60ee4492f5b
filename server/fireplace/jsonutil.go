package fireplace

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// The JSON strings of MessageBody (config, ext) are read leniently
// (PROTOCOL.md §12): empty or invalid JSON counts as absent, and numbers are
// kept as written so 64-bit ids survive a merge.

// parseJSON decodes s keeping numbers exact; ok is false for "" and for
// anything that is not JSON.
func parseJSON(s string) (v any, ok bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, false
	}
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		return nil, false
	}
	if d.More() {
		return nil, false
	}
	return v, true
}

// absentJSON reports whether an edit's config or ext means "no change":
// empty, invalid, or the literal null the official clients send for an
// absent field (§9.3).
func absentJSON(s string) bool {
	v, ok := parseJSON(s)
	return !ok || v == nil
}

// mergeJSON deep-merges patch into base as APPEND and REPLACE do (§9.3):
// objects merge key by key, any other value replaces. An absent patch
// (absentJSON) leaves base unchanged; an absent base takes the patch as it
// is.
func mergeJSON(base, patch string) string {
	pv, ok := parseJSON(patch)
	if !ok || pv == nil {
		return base
	}
	bv, ok := parseJSON(base)
	if !ok {
		return patch
	}
	out, err := marshalJSON(mergeValue(bv, pv))
	if err != nil {
		return base
	}
	return out
}

func mergeValue(base, patch any) any {
	bo, ok1 := base.(map[string]any)
	po, ok2 := patch.(map[string]any)
	if !ok1 || !ok2 {
		return patch
	}
	for k, v := range po {
		if old, ok := bo[k]; ok {
			bo[k] = mergeValue(old, v)
		} else {
			bo[k] = v
		}
	}
	return bo
}

// marshalJSON encodes v without HTML escaping (the text is not HTML).
func marshalJSON(v any) (string, error) {
	var buf bytes.Buffer
	e := json.NewEncoder(&buf)
	e.SetEscapeHTML(false)
	if err := e.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSuffix(buf.String(), "\n"), nil
}

// groupMemberList returns the uids of config's groupMemberList (the members
// asked for read receipts, §12.2). Numbers and numeric strings are accepted.
func groupMemberList(config string) []int64 {
	v, ok := parseJSON(config)
	if !ok {
		return nil
	}
	obj, _ := v.(map[string]any)
	list, _ := obj["groupMemberList"].([]any)
	out := make([]int64, 0, len(list))
	for _, x := range list {
		var s string
		switch y := x.(type) {
		case json.Number:
			s = y.String()
		case string:
			s = y
		default:
			continue
		}
		if id, err := strconv.ParseInt(s, 10, 64); err == nil {
			out = append(out, id)
		}
	}
	return out
}

// isTyping reports whether ext marks a typing indicator: a JSON object with
// an input_status key (§11, §12.3).
func isTyping(ext string) bool {
	if !strings.Contains(ext, "input_status") {
		return false
	}
	v, ok := parseJSON(ext)
	if !ok {
		return false
	}
	obj, _ := v.(map[string]any)
	_, has := obj["input_status"]
	return has
}
