package auth

import (
	"errors"
	"testing"
	"time"

	"github.com/deletesvc/deletesvc/store/identity"
)

// A token Parse has verified is answered from memory with the same claims while it is valid, and
// refused as expired once its time has passed, as the first parse would; a token that differs from
// it in any byte is verified anew.
func TestParseRemembersVerifiedTokens(t *testing.T) {
	clock := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	tokens := NewTokens([]byte("a-secret-a-secret-a-secret-a-sec"), time.Hour)
	tokens.now = func() time.Time { return clock }
	raw, _, err := tokens.Issue(identity.User{ID: "u1", Number: 7}, "org-a", 0)
	if err != nil {
		t.Fatal(err)
	}
	first, err := tokens.Parse(raw)
	if err != nil || first.Subject != "u1" || first.UserNumber != 7 || first.OrgID != "org-a" {
		t.Fatalf("first parse: %+v %v", first, err)
	}
	if len(tokens.verified) != 1 {
		t.Fatalf("%d tokens remembered, want 1", len(tokens.verified))
	}
	again, err := tokens.Parse(raw)
	if err != nil || again.Subject != first.Subject || again.UserNumber != first.UserNumber || again.OrgID != first.OrgID || !again.ExpiresAt.Equal(first.ExpiresAt.Time) {
		t.Fatalf("remembered parse: %+v %v, want %+v", again, err, first)
	}
	tampered := raw[:len(raw)-2] + map[bool]string{true: "AA", false: "BB"}[raw[len(raw)-2:] != "AA"]
	if _, err := tokens.Parse(tampered); !errors.Is(err, ErrTokenInvalid) {
		t.Fatalf("tampered token: %v, want ErrTokenInvalid", err)
	}
	clock = clock.Add(time.Hour)
	if _, err := tokens.Parse(raw); !errors.Is(err, ErrTokenExpired) {
		t.Fatalf("remembered token past its expiry: %v, want ErrTokenExpired", err)
	}
}

// The remembered tokens are bounded: past maxVerified the set starts over.
func TestParseForgetsPastTheBound(t *testing.T) {
	tokens := NewTokens([]byte("a-secret-a-secret-a-secret-a-sec"), time.Hour)
	for i := range maxVerified + 1 {
		raw, _, err := tokens.Issue(identity.User{ID: "u1", Number: int64(i)}, "org-a", 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tokens.Parse(raw); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(tokens.verified); n != 1 {
		t.Fatalf("%d tokens remembered after %d, want 1 (the set started over)", n, maxVerified+1)
	}
}
