package server

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestReadBodyAfterRewind: a body put back by rewindBody is read again whole by readBody, and
// also by any other reader, from the start; once something has read part of it, readBody returns
// the rest, as it would of any body.
func TestReadBodyAfterRewind(t *testing.T) {
	req := httptest.NewRequest("POST", "/", strings.NewReader(`{"a":1}`))
	first, err := readBody(req)
	if err != nil || string(first) != `{"a":1}` {
		t.Fatalf("first read: %q %v", first, err)
	}
	rewindBody(req, first)
	again, err := readBody(req)
	if err != nil || string(again) != `{"a":1}` {
		t.Fatalf("read after rewind: %q %v", again, err)
	}
	rewindBody(req, again)
	all, err := io.ReadAll(req.Body)
	if err != nil || string(all) != `{"a":1}` {
		t.Fatalf("io.ReadAll after rewind: %q %v", all, err)
	}
	rewindBody(req, all)
	head := make([]byte, 3)
	if _, err := io.ReadFull(req.Body, head); err != nil {
		t.Fatal(err)
	}
	rest, err := readBody(req)
	if err != nil || string(rest) != `":1}` {
		t.Fatalf("read after a partial read: %q %v, want the rest", rest, err)
	}
}
