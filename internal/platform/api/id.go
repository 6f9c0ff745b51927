package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// ID is a platform identifier as a response carries it: the contract's schema `Id`
// (x-go-type: ID; the generated `Id` is an alias of this type).
//
// The seeds disagree on the JSON type of ids: seed 000 types them as Long and seed
// 001's examples answer numbers ({"id": 103}, [[111, 123]]), while seed 002 answers
// 32-hex strings for the same enterprises and users. ID accepts a JSON string or a
// JSON integer and holds the id's text either way: 12 and "12" are both ID("12").
// A number keeps its exact digits (it is never converted to a float, so ids beyond
// 2^53 or int64 survive). ID always marshals as a JSON string, so the operator sends
// and the simulator answers strings.
//
// Ids are opaque: compare them, never do arithmetic on them.
type ID string

// String returns the id's text.
func (id ID) String() string { return string(id) }

// MarshalJSON always emits a JSON string.
func (id ID) MarshalJSON() ([]byte, error) {
	return json.Marshal(string(id))
}

// UnmarshalJSON accepts a JSON string or a JSON integer (negative and zero
// included; no fraction, no exponent) and rejects every other JSON value: null,
// true/false, objects, arrays and non-integer numbers. A null for an optional id is
// handled before this method is called: encoding/json leaves a *ID field nil.
func (id *ID) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return fmt.Errorf("api: an id must be a JSON string or integer, got nothing")
	}
	switch c := data[0]; {
	case c == '"':
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return fmt.Errorf("api: invalid id %s: %w", clipJSON(data), err)
		}
		*id = ID(s)
		return nil
	case c == '-' || ('0' <= c && c <= '9'):
		var n json.Number
		if err := json.Unmarshal(data, &n); err != nil {
			return fmt.Errorf("api: invalid id %s: %w", clipJSON(data), err)
		}
		if strings.ContainsAny(n.String(), ".eE") {
			return fmt.Errorf("api: an id must be a JSON string or integer, got the number %s", clipJSON(data))
		}
		*id = ID(n.String())
		return nil
	default:
		return fmt.Errorf("api: an id must be a JSON string or integer, got %s", jsonKind(data))
	}
}

// jsonKind names the JSON value data starts with, for error messages (never the
// value itself, which may be large).
func jsonKind(data []byte) string {
	switch data[0] {
	case 'n':
		return "null"
	case 't', 'f':
		return "a boolean"
	case '{':
		return "an object"
	case '[':
		return "an array"
	default:
		return "invalid JSON"
	}
}

// clipJSON bounds a value quoted in an error message.
func clipJSON(data []byte) string {
	const maxLen = 64
	if len(data) > maxLen {
		return string(data[:maxLen]) + "..."
	}
	return string(data)
}
