package server_test

import (
	"fmt"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/ulule/limiter/v3"
	"github.com/ulule/limiter/v3/drivers/store/memory"

	"github.com/deletesvc/deletesvc/server"
	"github.com/deletesvc/deletesvc/server/servertest"
	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/ratelimit"
	"github.com/deletesvc/deletesvc/store/storetest"
)

// limitedServer serves db with small limits, counting in the store the service would use for that
// database: PostgreSQL's table, or memory for SQLite.
func limitedServer(t *testing.T, db *store.DB, limits server.RateLimits) *servertest.Env {
	t.Helper()
	var st limiter.Store = memory.NewStore()
	if db.DialectName() != "sqlite" {
		st = ratelimit.New(db)
	}
	srv, err := server.New(db, storetest.Identity(db), server.Config{TokenSecret: servertest.Secret, TokenTTL: time.Hour,
		BodyLimit: "2M", Logger: servertest.Logger(t), RateLimits: limits, RateLimitStore: st})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	env := servertest.Start(t, db) // for its spec-validating client and token issuer
	env.URL = ts.URL
	return env
}

func rates(t *testing.T, s string) []limiter.Rate {
	r, err := server.ParseRates(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// Rate limits as Upbooks documents them: per client (token subject, or IP before login), every
// answer carries X-RateLimit-Limit/Remaining/Reset, and one over the limit is 429 with Retry-After
// in the family's own error shape; invx and Ultrabiz have their own limits and shapes. On
// PostgreSQL two instances count against the same windows (issue 14, item 7).
func TestRateLimits(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		limits := server.RateLimits{"upbooks": rates(t, "3-M,100-H"), "invx": rates(t, "2-M"), "ultrabiz": rates(t, "1-M")}
		env := limitedServer(t, db, limits)
		alice, aliceOrg := storetest.Tenant(t, db, "alice@example.com")
		bob, bobOrg := storetest.Tenant(t, db, "bob@example.com")
		aliceAuth := []string{"Authorization", "Bearer " + env.Token(t, alice, aliceOrg.ID)}
		bobAuth := []string{"Authorization", "Bearer " + env.Token(t, bob, bobOrg.ID)}

		// Upbooks with a token: 3 a minute for alice, whose 4th is refused; bob is unaffected.
		for i := 1; i <= 3; i++ {
			r := do(t, env, "GET", "/api/v1/organization", "", "", aliceAuth...)
			if r.status != 200 || r.header.Get("X-RateLimit-Limit") != "3" || r.header.Get("X-RateLimit-Remaining") != strconv.Itoa(3-i) {
				t.Fatalf("request %d: %d limit %q remaining %q", i, r.status, r.header.Get("X-RateLimit-Limit"), r.header.Get("X-RateLimit-Remaining"))
			}
			if reset, _ := strconv.ParseInt(r.header.Get("X-RateLimit-Reset"), 10, 64); reset < time.Now().Unix() || reset > time.Now().Add(61*time.Second).Unix() {
				t.Fatalf("X-RateLimit-Reset %q is not within the minute", r.header.Get("X-RateLimit-Reset"))
			}
		}
		r := do(t, env, "GET", "/api/v1/organization", "", "", aliceAuth...)
		assertUpbooksError(t, r, 429, "Too many requests")
		if ra, _ := strconv.Atoi(r.header.Get("Retry-After")); ra < 1 || ra > 60 || r.header.Get("X-RateLimit-Remaining") != "0" {
			t.Errorf("429 headers: Retry-After %q Remaining %q", r.header.Get("Retry-After"), r.header.Get("X-RateLimit-Remaining"))
		}
		// An invalid request counts too, and is refused the same way.
		assertUpbooksError(t, do(t, env, "GET", "/api/v1/organization?pageSize=0", "", "", aliceAuth...), 429)
		if r := do(t, env, "GET", "/api/v1/organization", "", "", bobAuth...); r.status != 200 {
			t.Errorf("bob is limited by alice's requests: %d", r.status)
		}
		// Before login, by IP: the login's 4th attempt from this address is refused, whatever
		// address the client claims in X-Forwarded-For (no proxy is trusted by default).
		for i := 1; i <= 4; i++ {
			r := do(t, env, "POST", "/api/v1/auth/token/bearer", "application/json", `{"username":"alice@example.com","password":"nope"}`,
				"X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i), "X-Real-IP", fmt.Sprintf("198.51.100.%d", i))
			if want := map[bool]int{true: 401, false: 429}[i <= 3]; r.status != want {
				t.Fatalf("login %d: %d, want %d: %s", i, r.status, want, r.body)
			}
		}

		// invx: its own limit (2) and envelope.
		inv := "/invx/apis/v1/orgs/" + aliceOrg.ID + "/document/0b0c6a52-5d0e-4b8f-9a57-4e8d3c1f2a10"
		for range 2 {
			if r := do(t, env, "GET", inv, "", "", aliceAuth...); r.status != 404 || r.header.Get("X-RateLimit-Limit") != "2" {
				t.Fatalf("invx: %d %v", r.status, r.header)
			}
		}
		r = do(t, env, "GET", inv, "", "", aliceAuth...)
		if m := r.json(t); r.status != 429 || m["status"] != "0" || m["error"].(map[string]any)["message"] != "err-too-many-requests" || r.header.Get("Retry-After") == "" {
			t.Errorf("invx over the limit: %d %s", r.status, r.body)
		}
		// Ultrabiz: its own limit (1) and ASP.NET's {Message}.
		ub := "/api/Vendor/GetVendor?vendorId=1"
		do(t, env, "GET", ub, "", "", aliceAuth...)
		r = do(t, env, "GET", ub, "", "", aliceAuth...)
		if m := r.json(t); r.status != 429 || m["Message"] == nil || r.header.Get("X-RateLimit-Limit") != "1" {
			t.Errorf("ultrabiz over the limit: %d %s", r.status, r.body)
		}

		if db.DialectName() == "sqlite" {
			return
		}
		// A second instance on the same PostgreSQL: bob's two more requests, one through each
		// instance, use up his 3; the next, through either, is refused.
		other := limitedServer(t, db, limits)
		if r := do(t, other, "GET", "/api/v1/organization", "", "", bobAuth...); r.status != 200 || r.header.Get("X-RateLimit-Remaining") != "1" {
			t.Fatalf("second instance: %d remaining %q", r.status, r.header.Get("X-RateLimit-Remaining"))
		}
		do(t, env, "GET", "/api/v1/organization", "", "", bobAuth...)
		assertUpbooksError(t, do(t, other, "GET", "/api/v1/organization", "", "", bobAuth...), 429)
	})
}

// ParseRates reads the configuration notation and refuses nonsense.
func TestParseRates(t *testing.T) {
	t.Parallel()
	if r, err := server.ParseRates("60-M, 1000-H"); err != nil || len(r) != 2 || r[0].Limit != 60 || r[1].Period != time.Hour {
		t.Fatalf("60-M,1000-H: %v %v", r, err)
	}
	if r, err := server.ParseRates("off"); err != nil || r != nil {
		t.Fatalf("off: %v %v", r, err)
	}
	for _, bad := range []string{"60", "x-M", "60-W", "0-M"} {
		if _, err := server.ParseRates(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
