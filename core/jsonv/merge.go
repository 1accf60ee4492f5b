package jsonv

// Merge returns dst deep-merged with src, the rule PROTOCOL.md §9.3 gives for
// the config and ext of edited messages: when both are objects, every member
// of src is merged into the member of dst with the same key (recursively when
// both are objects) and added when dst has none; any other src value replaces
// dst. A missing src leaves dst unchanged; a null src replaces it, as any
// non-object does.
//
// When both are objects, members of dst keep their order, new keys follow in
// src order, and repeated keys are collapsed, the last occurrence winning as
// it does for Get. Neither argument is modified; the result may share
// sub-values with both.
func Merge(dst, src Value) Value {
	if !src.present {
		return dst
	}
	if src.kind != KindObject || dst.kind != KindObject {
		return src
	}
	var srcSet, out objectBuilder
	for i := 0; i+1 < len(src.kids); i += 2 {
		srcSet.set(src.kids[i].s, src.kids[i+1])
	}
	out.kids = make([]Value, 0, len(dst.kids)+len(srcSet.kids))
	for i := 0; i+1 < len(dst.kids); i += 2 {
		out.set(dst.kids[i].s, dst.kids[i+1])
	}
	for i := 0; i+1 < len(srcSet.kids); i += 2 {
		k, v := srcSet.kids[i].s, srcSet.kids[i+1]
		if j := out.find(k); j >= 0 {
			out.kids[j+1] = Merge(out.kids[j+1], v)
		} else {
			out.add(k, v)
		}
	}
	return Value{kind: KindObject, kids: out.kids, present: true}
}

// MergeStrings applies Merge to two JSON texts, as stored in a message's
// config or ext, and returns the compact result. Following PROTOCOL.md §9.3
// and §12, an empty, invalid or "null" src means "no change" and returns dst
// untouched, while an empty or invalid dst is treated as {}.
func MergeStrings(dst, src string) string {
	s, err := ParseString(src)
	if err != nil || s.kind == KindNull {
		return dst
	}
	d, err := ParseString(dst)
	if err != nil {
		d = Value{kind: KindObject, present: true}
	}
	return Merge(d, s).String()
}

// objectBuilder collects object members with unique keys in first-seen
// order. Lookups scan linearly while the object is small and switch to a
// map index beyond indexAbove members, which keeps Merge linear on hostile
// objects with thousands of keys.
type objectBuilder struct {
	kids  []Value
	index map[string]int // key -> position of the key in kids, once built
}

const indexAbove = 16

func (b *objectBuilder) find(k string) int {
	if b.index != nil {
		if j, ok := b.index[k]; ok {
			return j
		}
		return -1
	}
	for j := 0; j < len(b.kids); j += 2 {
		if b.kids[j].s == k {
			return j
		}
	}
	return -1
}

// set stores v under k, replacing the value of an earlier k in place.
func (b *objectBuilder) set(k string, v Value) {
	if j := b.find(k); j >= 0 {
		b.kids[j+1] = v
		return
	}
	b.add(k, v)
}

// add appends a member whose key is known to be new.
func (b *objectBuilder) add(k string, v Value) {
	b.kids = append(b.kids, keyValue(k), v)
	switch n := len(b.kids) - 2; {
	case b.index != nil:
		b.index[k] = n
	case n/2 >= indexAbove:
		b.index = make(map[string]int, len(b.kids))
		for j := 0; j < len(b.kids); j += 2 {
			b.index[b.kids[j].s] = j
		}
	}
}
