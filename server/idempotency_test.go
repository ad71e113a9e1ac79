package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/deletesvc/deletesvc/openapi"
	"github.com/deletesvc/deletesvc/server"
	"github.com/deletesvc/deletesvc/server/servertest"
	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/identity"
	invxstore "github.com/deletesvc/deletesvc/store/invx"
	"github.com/deletesvc/deletesvc/store/storetest"
	ultrabizstore "github.com/deletesvc/deletesvc/store/ultrabiz"
)

// ubEnv is a server with an Ultrabiz tenant: one vendor (balance 100) and one product. Every
// executed InsertPurchaseInvoice of invoiceBody adds 10 to the vendor's balance, so the balance
// counts executions.
type ubEnv struct {
	*servertest.Env
	token  string
	user   int64
	org    string
	vendor int32
}

func startUltrabiz(t *testing.T, db *store.DB, cfg server.Config) ubEnv {
	t.Helper()
	ctx := context.Background()
	e := servertest.StartWith(t, db, cfg)
	u, org := storetest.Tenant(t, db, "owner@example.com")
	v, err := e.Ultrabiz.CreateVendor(ctx, org.ID, "Vendor", store.MustDecimal("100"))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Ultrabiz.CreateProducts(ctx, org.ID, []ultrabizstore.Product{
		{ID: "P-1", Name: "Product", Packings: []ultrabizstore.Packing{{ID: 1, Name: "Box", Multiplier: store.MustDecimal("2")}}},
	}); err != nil {
		t.Fatal(err)
	}
	return ubEnv{Env: e, token: e.Token(t, u, org.ID), user: u.Number, org: org.ID, vendor: v.ID}
}

func (e ubEnv) invoiceBody(bill string) string {
	return fmt.Sprintf(`{"VendorID":%d,"BillNo":%q,"BillDate":"2026-11-20T00:00:00Z","NetAmount":10,"ListBody":[{"ProductId":"P-1","PackingId":1,"QtyPack":1}]}`, e.vendor, bill)
}

type answer struct {
	status   int
	body     string
	replayed string
}

func (e ubEnv) insert(t *testing.T, key, body string) answer {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("%s/api/Purchase/InsertPurchaseInvoice?userId=%d", e.URL, e.user), strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+e.token)
	if key != "" {
		req.Header.Set(server.IdempotencyHeader, key)
	}
	resp, err := e.HTTP.Do(req)
	if err != nil {
		t.Error(err)
		return answer{}
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, string(b), resp.Header.Get(server.ReplayedHeader)}
}

func (e ubEnv) balance(t *testing.T) string {
	t.Helper()
	v, err := e.Ultrabiz.VendorByID(context.Background(), e.org, e.vendor)
	if err != nil {
		t.Fatal(err)
	}
	return v.Balance.String()
}

// A repeat with the same key and request replays the first answer without running again; the
// same key with another body is a 422 in the family's shape.
func TestIdempotencyReplay(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := startUltrabiz(t, db, server.Config{})
		first := e.insert(t, "key-1", e.invoiceBody("B-1"))
		if first.status != http.StatusOK || first.replayed != "" {
			t.Fatalf("first: %+v", first)
		}
		again := e.insert(t, "key-1", e.invoiceBody("B-1"))
		if again.status != first.status || again.body != first.body || again.replayed != "true" {
			t.Fatalf("repeat: %+v, want the first answer %+v replayed", again, first)
		}
		if got := e.balance(t); got != "110" {
			t.Fatalf("balance %s, want 110 (one execution)", got)
		}
		other := e.insert(t, "key-1", e.invoiceBody("B-2"))
		if other.status != http.StatusUnprocessableEntity || !strings.Contains(other.body, `"Message":"This Idempotency-Key was used for a different request."`) {
			t.Fatalf("same key, other body: %+v, want 422 in the ASP.NET shape", other)
		}
		// Without a key, and with another key, the call runs as before (the bill is taken: 409).
		if a := e.insert(t, "", e.invoiceBody("B-1")); a.status != http.StatusConflict || a.replayed != "" {
			t.Fatalf("no key: %+v, want the duplicate bill's 409", a)
		}
		if got := e.balance(t); got != "110" {
			t.Fatalf("balance %s, want 110", got)
		}
	})
}

// 50 concurrent requests with one key: one execution and 49 identical replays.
func TestIdempotencyConcurrent(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := startUltrabiz(t, db, server.Config{Idempotency: server.Idempotency{Wait: time.Minute}})
		answers := make([]answer, 50)
		var wg sync.WaitGroup
		for i := range answers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				answers[i] = e.insert(t, "burst", e.invoiceBody("C-1"))
			}()
		}
		wg.Wait()
		executed, replayed := 0, 0
		for _, a := range answers {
			switch {
			case a.status != http.StatusOK:
				t.Errorf("answer %+v, want 200", a)
			case a.replayed == "true":
				replayed++
			default:
				executed++
			}
			if a.body != answers[0].body {
				t.Errorf("answer body %s differs from %s", a.body, answers[0].body)
			}
		}
		if executed != 1 || replayed != 49 {
			t.Fatalf("%d executed, %d replayed; want 1 and 49", executed, replayed)
		}
		if got := e.balance(t); got != "110" {
			t.Fatalf("balance %s, want 110 (one execution)", got)
		}
	})
}

// A repeat while the first request still runs is refused with 409 once it has waited
// Idempotency.Wait; the first then completes and later repeats replay it. PostgreSQL: on SQLite a
// repeat waits for the writer the first request holds.
func TestIdempotencyInFlight(t *testing.T) {
	t.Parallel()
	storetest.OnlyPostgres(t, func(t *testing.T, db *store.DB) {
		e := startUltrabiz(t, db, server.Config{Idempotency: server.Idempotency{Wait: 300 * time.Millisecond}})
		release := storetest.HoldLocks(t, db, "ultrabiz_vendors") // the first request stops at the vendor's balance
		firstDone := make(chan answer)
		go func() { firstDone <- e.insert(t, "slow", e.invoiceBody("S-1")) }()
		storetest.WaitForLockWaiter(t, db, "ultrabiz_vendors") // the first request claimed its key before it reached the vendor
		defer time.AfterFunc(10*time.Second, release).Stop()   // a repeat stuck on the lock fails now, not at the database timeout
		second := e.insert(t, "slow", e.invoiceBody("S-1"))
		if second.status != http.StatusConflict || !strings.Contains(second.body, "still being processed") {
			t.Fatalf("repeat while running: %+v, want 409", second)
		}
		release()
		if first := <-firstDone; first.status != http.StatusOK || first.replayed != "" {
			t.Fatalf("first: %+v", first)
		}
		if third := e.insert(t, "slow", e.invoiceBody("S-1")); third.status != http.StatusOK || third.replayed != "true" {
			t.Fatalf("repeat after: %+v, want a replay", third)
		}
		if got := e.balance(t); got != "110" {
			t.Fatalf("balance %s, want 110", got)
		}
	})
}

// A request that fails mid-way (here the vendor's balance update, its last write, fails as a killed
// process or a dropped connection would leave it) stores neither its effects nor its key: the
// retry with the same key runs exactly once.
func TestIdempotencyRetryAfterFailure(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := startUltrabiz(t, db, server.Config{})
		if db.DialectName() == "sqlite" {
			storetest.Exec(t, db, `CREATE TRIGGER crash BEFORE UPDATE ON ultrabiz_vendors BEGIN SELECT RAISE(ABORT, 'crash'); END`)
		} else {
			storetest.InstallTriggers(t, db, `CREATE FUNCTION crash() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'crash'; END $$`,
				`CREATE TRIGGER crash BEFORE UPDATE ON ultrabiz_vendors FOR EACH ROW EXECUTE FUNCTION crash()`)
		}
		if a := e.insert(t, "retry", e.invoiceBody("R-1")); a.status != http.StatusInternalServerError {
			t.Fatalf("failing request: %+v, want 500", a)
		}
		if db.DialectName() == "sqlite" {
			storetest.Exec(t, db, `DROP TRIGGER crash`)
		} else {
			storetest.InstallTriggers(t, db, `DROP TRIGGER crash ON ultrabiz_vendors`)
		}
		retry := e.insert(t, "retry", e.invoiceBody("R-1"))
		if retry.status != http.StatusOK || retry.replayed != "" {
			t.Fatalf("retry: %+v, want the call to run", retry)
		}
		if again := e.insert(t, "retry", e.invoiceBody("R-1")); again.status != http.StatusOK || again.replayed != "true" || again.body != retry.body {
			t.Fatalf("repeat: %+v, want the retry's answer replayed", again)
		}
		if got := e.balance(t); got != "110" {
			t.Fatalf("balance %s, want 110 (one execution)", got)
		}
	})
}

// A failure after the operation's effects, while its answer is stored beside the key, rolls the
// effects back too: key, effects and answer commit together. The retry runs exactly once.
func TestIdempotencyFailureAfterEffects(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := startUltrabiz(t, db, server.Config{})
		if db.DialectName() == "sqlite" {
			storetest.Exec(t, db, `CREATE TRIGGER crash BEFORE UPDATE ON idempotency_keys BEGIN SELECT RAISE(ABORT, 'crash'); END`)
		} else {
			storetest.InstallTriggers(t, db, `CREATE FUNCTION crash() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'crash'; END $$`,
				`CREATE TRIGGER crash BEFORE UPDATE ON idempotency_keys FOR EACH ROW EXECUTE FUNCTION crash()`)
		}
		if a := e.insert(t, "late", e.invoiceBody("L-1")); a.status < http.StatusInternalServerError {
			t.Fatalf("request whose answer could not be stored: %+v, want a 5xx", a)
		}
		if got := e.balance(t); got != "100" {
			t.Fatalf("balance %s after the failed request, want 100 (its effects rolled back)", got)
		}
		if db.DialectName() == "sqlite" {
			storetest.Exec(t, db, `DROP TRIGGER crash`)
		} else {
			storetest.InstallTriggers(t, db, `DROP TRIGGER crash ON idempotency_keys`)
		}
		if retry := e.insert(t, "late", e.invoiceBody("L-1")); retry.status != http.StatusOK || retry.replayed != "" {
			t.Fatalf("retry: %+v, want the call to run", retry)
		}
		if got := e.balance(t); got != "110" {
			t.Fatalf("balance %s, want 110 (one execution)", got)
		}
	})
}

// send sends one request with a bearer token and an optional key.
func send(t *testing.T, e *servertest.Env, token, method, path, key, body string) answer {
	t.Helper()
	req, _ := http.NewRequest(method, e.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	if key != "" {
		req.Header.Set(server.IdempotencyHeader, key)
	}
	resp, err := e.HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, string(b), resp.Header.Get(server.ReplayedHeader)}
}

// allCategories is a selective-delete body choosing all 46 categories, from the spec.
func allCategories(t *testing.T) string {
	t.Helper()
	spec, err := openapi.Load("upbooks")
	if err != nil {
		t.Fatal(err)
	}
	flags := map[string]bool{}
	for name := range spec.Components.Schemas["DeleteSelectiveDataRequest"].Value.Properties {
		flags[name] = true
	}
	b, _ := json.Marshal(flags)
	return string(b)
}

// Upbooks' selective delete (its store transaction without row-by-row checks joins the request's)
// and AddOrganization, and invx's bulk PATCH, replay with a key; a reused key is 422 in each
// family's shape.
func TestIdempotencyUpbooksAndInvx(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := servertest.Start(t, db)
		u, org := storetest.Tenant(t, db, "owner@example.com")
		token := e.Token(t, u, org.ID)

		del := "/api/v1/organization/" + org.ID + "/selective"
		first := send(t, e, token, http.MethodDelete, del, "erase-1", allCategories(t))
		if first.status != http.StatusOK || first.replayed != "" {
			t.Fatalf("selective delete: %+v", first)
		}
		if again := send(t, e, token, http.MethodDelete, del, "erase-1", allCategories(t)); again.status != http.StatusOK || again.replayed != "true" || again.body != first.body {
			t.Fatalf("repeat: %+v, want %+v replayed", again, first)
		}
		if dry := send(t, e, token, http.MethodDelete, del+"?dryRun=true", "erase-1", allCategories(t)); dry.status != http.StatusUnprocessableEntity ||
			dry.body != `{"code":"422","message":"This Idempotency-Key was used for a different request."}`+"\n" {
			t.Fatalf("same key, other query: %+v, want 422 in Upbooks' shape", dry)
		}
		add := `{"name":"Second Org","location":"Mumbai","state":"Maharashtra"}`
		created := send(t, e, token, http.MethodPost, "/api/v1/organization", "org-1", add)
		if created.status != http.StatusCreated {
			t.Fatalf("add organization: %+v", created)
		}
		if again := send(t, e, token, http.MethodPost, "/api/v1/organization", "org-1", add); again.status != http.StatusCreated || again.replayed != "true" || again.body != created.body {
			t.Fatalf("repeat add: %+v, want %+v replayed", again, created)
		}
		if _, n, err := e.Identity.ListOrganizations(ctx, u.ID, identity.OrganizationPage{PageNo: 1, PageSize: 10}); err != nil || n != 2 {
			t.Fatalf("%d organizations (%v), want 2 (one added)", n, err)
		}

		ids, err := e.Invx.SeedDocuments(ctx, org.ID, 2, []invxstore.Status{invxstore.Created}, nil)
		if err != nil {
			t.Fatal(err)
		}
		bulk := "/invx/apis/v1/orgs/" + org.ID + "/document/bulk"
		body := fmt.Sprintf(`[{"docId":%q,"action":"acc"}]`, ids[0])
		patched := send(t, e, token, http.MethodPatch, bulk, "bulk-1", body)
		if patched.status != http.StatusOK {
			t.Fatalf("bulk: %+v", patched)
		}
		if again := send(t, e, token, http.MethodPatch, bulk, "bulk-1", body); again.status != http.StatusOK || again.replayed != "true" || again.body != patched.body {
			t.Fatalf("repeat bulk: %+v, want %+v replayed", again, patched)
		}
		other := send(t, e, token, http.MethodPatch, bulk, "bulk-1", fmt.Sprintf(`[{"docId":%q,"action":"acc"}]`, ids[1]))
		if other.status != http.StatusUnprocessableEntity || !strings.Contains(other.body, `"message":"err-idempotency-key-reused"`) {
			t.Fatalf("same key, other body: %+v, want 422 in invx's shape", other)
		}
	})
}

// Upbooks' 409 for a key in use is its Conflict shape (DeleteSelectiveData declares that one).
func TestIdempotencyInFlightUpbooks(t *testing.T) {
	t.Parallel()
	storetest.OnlyPostgres(t, func(t *testing.T, db *store.DB) {
		e := servertest.StartWith(t, db, server.Config{Idempotency: server.Idempotency{Wait: 300 * time.Millisecond}})
		u, org := storetest.Tenant(t, db, "owner@example.com")
		token := e.Token(t, u, org.ID)
		release := storetest.HoldLocks(t, db, "organization_locks")
		del := "/api/v1/organization/" + org.ID + "/selective"
		firstDone := make(chan answer)
		go func() { firstDone <- send(t, e, token, http.MethodDelete, del, "erase", allCategories(t)) }()
		storetest.WaitForLockWaiter(t, db, "organization_locks")
		defer time.AfterFunc(10*time.Second, release).Stop() // a repeat stuck on the lock fails now, not at the database timeout
		second := send(t, e, token, http.MethodDelete, del, "erase", allCategories(t))
		want := `{"blockers":[],"code":"409","message":"A request with this Idempotency-Key is still being processed; retry later."}` + "\n"
		if second.status != http.StatusConflict || second.body != want {
			t.Fatalf("repeat while running: %+v, want %s", second, want)
		}
		release()
		if first := <-firstDone; first.status != http.StatusOK {
			t.Fatalf("first: %+v", first)
		}
	})
}

// The database connection of a request is killed mid-operation (as when the service is killed -9
// or its host dies), after it wrote the invoice, its lines and the stock and while it waits to add
// to the vendor's balance: the key it had claimed goes with the rest of its transaction, and the
// retry runs exactly once.
func TestIdempotencyRetryAfterKilledConnection(t *testing.T) {
	t.Parallel()
	storetest.OnlyPostgres(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := startUltrabiz(t, db, server.Config{})
		sqlDB, _ := db.SQL()
		hold, err := sqlDB.BeginTx(ctx, nil) // the vendor's row only: reads and foreign-key checks go on, its update waits
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = hold.Rollback() }()
		if _, err := hold.ExecContext(ctx, "SELECT 1 FROM ultrabiz_vendors WHERE organization_id = $1 AND id = $2 FOR NO KEY UPDATE", e.org, e.vendor); err != nil {
			t.Fatal(err)
		}
		firstDone := make(chan answer)
		go func() { firstDone <- e.insert(t, "killed", e.invoiceBody("K-1")) }()
		var pid int
		for i := 0; pid == 0; i++ {
			// On Citus the lock wait is on a worker; the coordinator's session waits on it ('Client').
			err := sqlDB.QueryRow(`SELECT pid FROM pg_stat_activity WHERE state = 'active' AND wait_event_type IN ('Lock', 'Client', 'IPC')
				AND query LIKE '%UPDATE ultrabiz_vendors SET balance%' AND pid <> pg_backend_pid()
				AND datname = current_database()`).Scan(&pid)
			if err != nil && i == 200 {
				if rows, qerr := sqlDB.Query(`SELECT coalesce(wait_event_type,''), left(query, 120) FROM pg_stat_activity WHERE datname = current_database()`); qerr == nil {
					for rows.Next() {
						var w, q string
						_ = rows.Scan(&w, &q)
						t.Logf("%s | %q", w, q)
					}
					_ = rows.Close()
				}
				t.Fatalf("the request never waited on the vendor's balance: %v", err)
			}
			time.Sleep(20 * time.Millisecond)
		}
		var invoices int
		if err := sqlDB.QueryRow(`SELECT count(*) FROM ultrabiz_purchase_invoices WHERE organization_id = $1`, e.org).Scan(&invoices); err != nil || invoices != 0 {
			t.Fatalf("%d invoices visible before commit (%v)", invoices, err)
		}
		if _, err := sqlDB.Exec("SELECT pg_terminate_backend($1::int)", pid); err != nil {
			t.Fatal(err)
		}
		if first := <-firstDone; first.status < http.StatusInternalServerError {
			t.Fatalf("killed request: %+v, want a 5xx", first)
		}
		_ = hold.Rollback()
		if got := e.balance(t); got != "100" {
			t.Fatalf("balance %s after the killed request, want 100", got)
		}
		retry := e.insert(t, "killed", e.invoiceBody("K-1"))
		if retry.status != http.StatusOK || retry.replayed != "" {
			t.Fatalf("retry: %+v, want the call to run", retry)
		}
		if again := e.insert(t, "killed", e.invoiceBody("K-1")); again.status != http.StatusOK || again.replayed != "true" {
			t.Fatalf("repeat: %+v, want a replay", again)
		}
		if got := e.balance(t); got != "110" {
			t.Fatalf("balance %s, want 110 (one execution)", got)
		}
		if err := sqlDB.QueryRow(`SELECT count(*) FROM ultrabiz_purchase_invoices WHERE organization_id = $1`, e.org).Scan(&invoices); err != nil || invoices != 1 {
			t.Fatalf("%d invoices, want 1 (%v)", invoices, err)
		}
	})
}

// A refusal with a key (here invx's duplicate document, which PostgreSQL reports by failing the
// statement and with it the transaction) is stored and replayed like any answer.
func TestIdempotencyRefusalIsKept(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := servertest.Start(t, db)
		u, org := storetest.Tenant(t, db, "owner@example.com")
		token := e.Token(t, u, org.ID)
		spec, err := openapi.Load("invx")
		if err != nil {
			t.Fatal(err)
		}
		path := "/invx/apis/{iridessa-version}/orgs/{org-id}/document"
		doc, _ := json.Marshal(spec.Paths.Find(path).Post.RequestBody.Value.Content["application/json"].Examples["invoice"].Value.Value)
		url := "/invx/apis/v1/orgs/" + org.ID + "/document"
		if a := send(t, e, token, http.MethodPost, url, "doc-1", string(doc)); a.status != http.StatusOK && a.status != http.StatusCreated {
			t.Fatalf("create: %+v", a)
		}
		dup := send(t, e, token, http.MethodPost, url, "doc-2", string(doc))
		if dup.status != http.StatusConflict || !strings.Contains(dup.body, "err-duplicate-document") || dup.replayed != "" {
			t.Fatalf("duplicate with a new key: %+v, want invx's 409", dup)
		}
		if again := send(t, e, token, http.MethodPost, url, "doc-2", string(doc)); again.status != http.StatusConflict || again.body != dup.body || again.replayed != "true" {
			t.Fatalf("repeat: %+v, want the 409 replayed", again)
		}
	})
}
