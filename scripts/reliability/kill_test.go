package reliability

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/demo"
	"github.com/deletesvc/deletesvc/store/storetest"
)

// killSeedRows is the size of the organization a killed delete works on: large enough that the
// delete takes a while on this machine, so the kills land inside it.
const killSeedRows = 120_000

// killCategories are the categories each delete chooses (force=true: their blockers go too): they
// own the rows the stored figures are computed from, so a partial delete would show as wrong
// balances as well as wrong counts.
var killCategories = []string{"invoice", "payments", "creditNotes", "expenses", "products", "orders"}

// killFractions place the kills in the delete, as fractions of how long a whole one took. The last
// kills once the delete has answered (its bound is only a limit), so a committed delete with a key
// is always among the outcomes and its retry must replay; 0.9 lands on either side of the commit.
var killFractions = []float64{0.15, 0.4, 0.65, 0.9, 5}

// TestKill9DuringSelectiveDelete seeds the demo organization with about 120,000 Upbooks rows,
// times one whole DeleteSelectiveData, reseeds, then kills the service with SIGKILL at several
// points inside the same delete and restarts it. Each time, every table of the organization must
// hold exactly what it held before (the transaction was lost) or what the delete's dry run said it
// would remove must be gone, every chosen or forced category's tables empty (it committed); stored
// balances must match their ledgers, and `deletesvc check-integrity` must pass. Each killed delete
// carries an Idempotency-Key, and the retry with it must run the delete exactly once: the retry
// runs it when the kill rolled it back and replays the answer when it had committed.
func TestKill9DuringSelectiveDelete(t *testing.T) {
	for _, backend := range []storetest.Backend{storetest.SQLite, storetest.Postgres} {
		t.Run(string(backend), func(t *testing.T) {
			start := time.Now()
			ctx := context.Background()
			url := storetest.URL(t, backend)
			svc, seed := killableService(t, url)
			owned := categoryTables(t)
			fails := &failures{t: t}
			attempts := 0
			outcomes := map[string]int{}

			// round deletes, killing the service after delay (0: let it finish), and checks.
			round := func(name string, delay time.Duration) (took time.Duration, gone bool) {
				attempts++
				token := svc.demoToken()
				before := dataCounts(t, url)
				dry := selectiveDelete(t, svc.base, token, true, "")
				if dry.status != http.StatusOK {
					t.Fatalf("%s: dry run answered %d %s", name, dry.status, dry.raw)
				}
				chosen := map[string]bool{}
				removed := 0
				for c, n := range dry.Deleted {
					chosen[c] = true
					removed += n
				}
				for c, n := range dry.Forced {
					chosen[c] = true
					removed += n
				}
				t0 := time.Now()
				done := make(chan deleteAnswer, 1)
				key := ""
				if delay > 0 {
					key = fmt.Sprintf("kill-round-%d", attempts)
				}
				go func() { done <- selectiveDelete(t, svc.base, token, false, key) }()
				if delay > 0 {
					select {
					case a := <-done:
						t.Logf("%s: the delete finished (%d) within %v, before the kill", name, a.status, time.Since(t0).Round(time.Millisecond))
					case <-time.After(delay):
					}
					svc.kill9()
					svc.start()
				} else if a := <-done; a.status != http.StatusOK {
					t.Fatalf("%s: delete answered %d %s", name, a.status, a.raw)
				}
				took = time.Since(t0)
				after := dataCounts(t, url)
				gone = after["ub_activity_logs"] == before["ub_activity_logs"]+1
				var partial []string
				if gone {
					// A committed delete adds its activity entry and, when it carried a key, the key's
					// stored answer (a kill after the commit): neither is data it removed.
					wantKeys := before["idempotency_keys"]
					if key != "" {
						wantKeys++
					}
					if after["idempotency_keys"] != wantKeys {
						partial = append(partial, fmt.Sprintf("idempotency_keys %d -> %d, want %d", before["idempotency_keys"], after["idempotency_keys"], wantKeys))
					}
					lost := 0
					for table, n := range before {
						if table != "ub_activity_logs" && table != "idempotency_keys" {
							lost += n - after[table]
						}
					}
					if lost != removed {
						var diffs []string
						for table, n := range before {
							if after[table] != n {
								diffs = append(diffs, fmt.Sprintf("%s -%d", table, n-after[table]))
							}
						}
						sort.Strings(diffs)
						partial = append(partial, fmt.Sprintf("%d rows removed, the dry run said %d (deleted %v, forced %v; tables %s)", lost, removed, dry.Deleted, dry.Forced, strings.Join(diffs, ", ")))
					}
				}
				for c, tables := range owned {
					for _, table := range tables {
						want := before[table]
						if gone && chosen[c] {
							want = 0
						}
						if table == "ub_activity_logs" {
							continue // one entry more when the delete committed; checked above
						}
						if gone && !chosen[c] && after[table] != before[table] && !derived(table) {
							partial = append(partial, fmt.Sprintf("%s (kept category %s) %d -> %d", table, c, before[table], after[table]))
						} else if (!gone || chosen[c]) && after[table] != want {
							partial = append(partial, fmt.Sprintf("%s (category %s) %d -> %d, want %d", table, c, before[table], after[table], want))
						}
					}
				}
				if !gone {
					for table, n := range before {
						if after[table] != n {
							partial = append(partial, fmt.Sprintf("%s %d -> %d", table, n, after[table]))
						}
					}
				}
				outcome := "all there (rolled back)"
				if gone {
					outcome = "all gone (committed)"
				}
				if len(partial) > 0 {
					outcome = "partial"
					sort.Strings(partial)
					fails.add("%s: neither all there nor all gone: %s", name, strings.Join(partial, "; "))
				}
				outcomes[outcome]++
				if bad := balanceMismatches(t, url); len(bad) > 0 {
					fails.add("%s: stored balances do not match their ledgers: %v", name, bad)
				}
				if out, err := svc.run(ctx, "check-integrity"); err != nil {
					fails.add("%s: check-integrity: %v\n%s", name, err, out)
				}
				t.Logf("%s: %s after %v (%d rows to delete)", name, outcome, took.Round(time.Millisecond), removed)
				if key != "" {
					// The client saw no answer, so it retries with the same Idempotency-Key: the delete
					// runs exactly once, now if the kill rolled it back, else the retry replays it.
					retry := selectiveDelete(t, svc.base, svc.demoToken(), false, key)
					final := counts(t, url)
					switch {
					case retry.status != http.StatusOK:
						fails.add("%s: the retry with the same key answered %d %s", name, retry.status, retry.raw)
					case retry.replayed != gone:
						fails.add("%s: the delete had %s, but the retry was replayed=%v", name, map[bool]string{true: "committed", false: "rolled back"}[gone], retry.replayed)
					case final["ub_activity_logs"] != before["ub_activity_logs"]+1:
						fails.add("%s: %d activity entries after the retry, want %d (one delete)", name, final["ub_activity_logs"], before["ub_activity_logs"]+1)
					}
					for _, c := range killCategories {
						for _, table := range owned[c] {
							if final[table] != 0 {
								fails.add("%s: after the retry %s (category %s) still has %d rows", name, table, c, final[table])
							}
						}
					}
					gone = true
				}
				return took, gone
			}

			whole, _ := round("whole delete (no kill)", 0)
			seed()
			for i, f := range killFractions {
				delay := time.Duration(f * float64(whole))
				if _, gone := round(fmt.Sprintf("kill %d at %v", i+1, delay.Round(time.Millisecond)), delay); gone && i < len(killFractions)-1 {
					seed()
				}
			}
			t.Logf("outcomes: %v", outcomes)
			if outcomes["all there (rolled back)"] == 0 {
				fails.add("no kill landed inside a delete: the seed is too small for this machine")
			}
			figures(t, "kill -9 during a large delete", string(backend), attempts, fails.count(), time.Since(start))
		})
	}
}

// killableService starts the built service on url with the demo organization seeded with
// killSeedRows Upbooks rows; seed seeds it again.
func killableService(t *testing.T, url string) (svc *service, seed func()) {
	t.Helper()
	svc = &service{t: t, dbURL: url, port: freePort(t)}
	svc.base = fmt.Sprintf("http://127.0.0.1:%d", svc.port)
	seed = func() {
		if out, err := svc.run(context.Background(), "seed", "-family", "upbooks", "-rows", fmt.Sprint(killSeedRows)); err != nil {
			t.Fatalf("seed: %v\n%s", err, out)
		}
	}
	seed()
	svc.start()
	t.Cleanup(svc.stop)
	return svc, seed
}

// dataCounts is counts without the bookkeeping tables a delete writes to: the organization's lock
// row (made by its first delete and kept) and the operations' own rows.
func dataCounts(t *testing.T, url string) map[string]int {
	c := counts(t, url)
	delete(c, "organization_locks")
	delete(c, "operations")
	return c
}

// derived says whether table holds derived rows (ledger and statement lines), which a delete of a
// kept category's neighbour removes with what posted them.
func derived(table string) bool { return strings.HasSuffix(table, "_ledgers") }

type deleteAnswer struct {
	status   int
	raw      string
	replayed bool
	Deleted  map[string]int `json:"deleted"`
	Forced   map[string]int `json:"forced"`
}

// selectiveDelete sends DeleteSelectiveData of killCategories with force=true on the demo tenant,
// with an Idempotency-Key when key is not empty.
func selectiveDelete(t *testing.T, base, token string, dryRun bool, key string) deleteAnswer {
	req := selectiveDeleteRequest(t, base, token, dryRun)
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := (&http.Client{Timeout: 10 * time.Minute}).Do(req)
	if err != nil {
		return deleteAnswer{status: -1, raw: err.Error()}
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	a := deleteAnswer{status: resp.StatusCode, raw: short(raw), replayed: resp.Header.Get("Idempotent-Replayed") == "true"}
	_ = json.Unmarshal(raw, &a)
	return a
}

// selectiveDeleteRequest is DeleteSelectiveData of killCategories with force=true on the demo
// tenant.
func selectiveDeleteRequest(t *testing.T, base, token string, dryRun bool) *http.Request {
	op := findOperation(t, "upbooks.DeleteSelectiveData")
	flags := map[string]any{}
	for k := range baseRequest(op).json.(map[string]any) {
		flags[k] = false
	}
	for _, c := range killCategories {
		flags[c] = true
	}
	body, _ := json.Marshal(flags)
	req, _ := http.NewRequest(http.MethodDelete, fmt.Sprintf("%s/api/v1/organization/%s/selective?force=true&dryRun=%v", base, demo.OrganizationID, dryRun), bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	return req
}

// categoryTables reads the spec's dependency table: the tables each category owns.
func categoryTables(t *testing.T) map[string][]string {
	t.Helper()
	op := findOperation(t, "upbooks.DeleteSelectiveData")
	line := regexp.MustCompile("(?m)^\\| (\\w+) \\| ((?:`\\w+`(?:, )?)+) \\|")
	out := map[string][]string{}
	for _, m := range line.FindAllStringSubmatch(op.route.Operation.Description, -1) {
		for _, table := range strings.Split(m[2], ", ") {
			out[m[1]] = append(out[m[1]], strings.Trim(table, "`"))
		}
	}
	for _, c := range killCategories {
		if len(out[c]) == 0 {
			t.Fatalf("the spec's dependency table lists no tables for %s (%d categories read)", c, len(out))
		}
	}
	return out
}

// counts is the demo organization's row count in every table with an organization_id column.
func counts(t *testing.T, url string) map[string]int {
	t.Helper()
	db, sqlDB := openSQL(t, url)
	defer db.Close()
	out := map[string]int{}
	for _, table := range tenantTables(t, db, sqlDB) {
		var n int
		if err := sqlDB.QueryRow("SELECT count(*) FROM "+table+" WHERE organization_id = $1", demo.OrganizationID).Scan(&n); err != nil {
			t.Fatalf("count %s: %v", table, err)
		}
		out[table] = n
	}
	return out
}

func openSQL(t *testing.T, url string) (*store.DB, *sql.DB) {
	t.Helper()
	db, err := store.Open(context.Background(), url, storetest.Options())
	if err != nil {
		t.Fatal(err)
	}
	sqlDB, err := db.SQL()
	if err != nil {
		t.Fatal(err)
	}
	return db, sqlDB
}

func tenantTables(t *testing.T, db *store.DB, sqlDB *sql.DB) []string {
	t.Helper()
	if db.DialectName() == "sqlite" {
		return queryStrings(t, sqlDB, `SELECT m.name FROM sqlite_master m, pragma_table_info(m.name) p
			WHERE m.type = 'table' AND p.name = 'organization_id' ORDER BY m.name`)
	}
	return queryStrings(t, sqlDB, `SELECT table_name FROM information_schema.columns
		WHERE table_schema = 'public' AND column_name = 'organization_id' ORDER BY table_name`)
}

// balanceMismatches recomputes, from the ledgers, every client, vendor and account balance of the
// demo organization and lists those that differ from the stored one.
func balanceMismatches(t *testing.T, url string) []string {
	t.Helper()
	db, sqlDB := openSQL(t, url)
	defer db.Close()
	var bad []string
	for _, b := range []struct{ table, ledger, key, plus, minus string }{
		{"ub_clients", "ub_client_ledgers", "client_id", "debit", "credit"},
		{"ub_vendors", "ub_vendor_ledgers", "vendor_id", "credit", "debit"},
		{"ub_accounts", "ub_account_ledgers", "account_id", "debit", "credit"},
	} {
		sums := map[string]*big.Rat{}
		rows, err := sqlDB.Query("SELECT "+b.key+", CAST("+b.plus+" AS TEXT), CAST("+b.minus+" AS TEXT) FROM "+b.ledger+" WHERE organization_id = $1", demo.OrganizationID)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id, plus, minus string
			if err := rows.Scan(&id, &plus, &minus); err != nil {
				t.Fatal(err)
			}
			if sums[id] == nil {
				sums[id] = new(big.Rat)
			}
			sums[id].Add(sums[id], rat(t, plus))
			sums[id].Sub(sums[id], rat(t, minus))
		}
		rows.Close()
		stored := map[string]string{}
		for _, line := range queryStrings(t, sqlDB, "SELECT id || ' ' || CAST(balance AS TEXT) FROM "+b.table+" WHERE organization_id = $1", demo.OrganizationID) {
			id, bal, _ := strings.Cut(line, " ")
			stored[id] = bal
			want := sums[id]
			if want == nil {
				want = new(big.Rat)
			}
			if rat(t, bal).Cmp(want) != 0 {
				bad = append(bad, fmt.Sprintf("%s %s: stored %s, ledger %s", b.table, id, bal, want.FloatString(2)))
			}
		}
		for id := range sums {
			if _, ok := stored[id]; !ok {
				bad = append(bad, fmt.Sprintf("%s has lines of %s %s, which is gone", b.ledger, b.table, id))
			}
		}
	}
	if len(bad) > 10 {
		bad = append(bad[:10], fmt.Sprintf("and %d more", len(bad)-10))
	}
	return bad
}

func rat(t *testing.T, s string) *big.Rat {
	t.Helper()
	r, ok := new(big.Rat).SetString(strings.TrimSpace(s))
	if !ok {
		t.Fatalf("not a decimal: %q", s)
	}
	return r
}
