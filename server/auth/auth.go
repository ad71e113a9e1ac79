// Package auth issues and checks the service's JWTs and carries the authenticated caller through a
// request's context. All three families share one token format.
package auth

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/deletesvc/deletesvc/store/identity"
)

// Caller is who is calling and in which organization they act.
type Caller struct {
	UserID     string
	UserNumber int64
	// OrgID is the organization the request acts in: the path's for Upbooks and invx, the token's
	// selected one for Ultrabiz. Empty on calls that name no organization.
	OrgID string
	Role  identity.Role
	// Organization is OrgID's organization as the family's guard read it, when it did, so a
	// handler need not read it again.
	Organization *identity.Organization
	// SelectedOrgID is the organization chosen at login.
	SelectedOrgID string
}

type callerKey struct{}

// WithCaller returns ctx carrying c.
func WithCaller(ctx context.Context, c Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// From returns the caller the auth middleware put in ctx.
func From(ctx context.Context) (Caller, bool) {
	c, ok := ctx.Value(callerKey{}).(Caller)
	return c, ok
}

// Errors of Parse.
var (
	ErrTokenExpired = errors.New("token expired")
	ErrTokenInvalid = errors.New("token invalid")
)

// Claims are the token's contents.
type Claims struct {
	UserNumber int64  `json:"unum"`
	OrgID      string `json:"org"`
	jwt.RegisteredClaims
}

// Tokens signs and verifies HS256 tokens with one secret.
type Tokens struct {
	secret []byte
	ttl    time.Duration
	now    func() time.Time

	// verified holds the claims of tokens Parse accepted, by their text: a client sends the same
	// token request after request, and decoding and verifying it again (base64, JSON, HMAC) was a
	// thirtieth of an Ultrabiz cycle's CPU (issue 13). Only the time-dependent checks are
	// redone; a token that fails them is parsed again, so its error is the parser's.
	mu       sync.Mutex
	verified map[string]Claims
}

// maxVerified bounds the verified tokens kept; past it the set starts over.
const maxVerified = 4096

// NewTokens makes a signer; ttl is the default lifetime.
func NewTokens(secret []byte, ttl time.Duration) *Tokens {
	return &Tokens{secret: secret, ttl: ttl, now: time.Now, verified: map[string]Claims{}}
}

// DefaultTTL is the lifetime of tokens issued without an explicit one.
func (t *Tokens) DefaultTTL() time.Duration { return t.ttl }

const issuer = "deletesvc"

// Issue signs a token for the user acting in orgID; ttl zero means the default.
func (t *Tokens) Issue(u identity.User, orgID string, ttl time.Duration) (string, time.Time, error) {
	if ttl <= 0 {
		ttl = t.ttl
	}
	now := t.now()
	exp := now.Add(ttl)
	claims := Claims{
		UserNumber: u.Number,
		OrgID:      orgID,
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    issuer,
			Subject:   u.ID,
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(exp),
		},
	}
	signed, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(t.secret)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("sign token: %w", err)
	}
	return signed, exp, nil
}

// Parse verifies a token: HS256 only (so "alg: none" and key-confusion tokens fail), our issuer,
// an expiry that has not passed.
func (t *Tokens) Parse(raw string) (Claims, error) {
	options := []jwt.ParserOption{jwt.WithIssuer(issuer), jwt.WithExpirationRequired(), jwt.WithTimeFunc(t.now)}
	t.mu.Lock()
	claims, seen := t.verified[raw]
	t.mu.Unlock()
	if seen && jwt.NewValidator(options...).Validate(&claims) == nil {
		return claims, nil
	}
	claims = Claims{}
	_, err := jwt.ParseWithClaims(raw, &claims, func(*jwt.Token) (any, error) { return t.secret, nil },
		append(options, jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}))...)
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return Claims{}, ErrTokenExpired
	case err != nil:
		return Claims{}, fmt.Errorf("%w: %v", ErrTokenInvalid, err)
	case claims.Subject == "":
		return Claims{}, fmt.Errorf("%w: no subject", ErrTokenInvalid)
	}
	t.mu.Lock()
	if len(t.verified) >= maxVerified {
		clear(t.verified)
	}
	t.verified[raw] = claims
	t.mu.Unlock()
	return claims, nil
}
