package reliability

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/demo"
	"github.com/deletesvc/deletesvc/store/identity"
	"github.com/deletesvc/deletesvc/store/storetest"
)

// Tenant B's organization name and email: unique strings that must never appear in an answer to A.
const (
	secretOrgName = "Tenant B Secret Holdings 7f3a"
	secretEmail   = "tenant-b-7f3a@example.com"
)

// TestCrossTenantMatrix gives two users an organization each, with data in all three families,
// then sends, as user A (the demo owner), every operation with B's ids in place of A's in turn: in
// the path, the query, the ORGANIZATION-ID header and the body, and a login that selects B's
// organization. B's rows (every table holding organization_id, B's organization and user) are
// dumped before and after and must be identical; no answer may name B; every answer must be
// declared by the spec and never 5xx.
func TestCrossTenantMatrix(t *testing.T) {
	for _, backend := range []storetest.Backend{storetest.SQLite, storetest.Postgres} {
		t.Run(string(backend), func(t *testing.T) {
			start := time.Now()
			ctx := context.Background()
			url := storetest.URL(t, backend)
			b := arrangeTenants(t, url)
			before := dumpTenant(t, url, b)
			svc := startService(t, url, "DEMO=false")
			token := svc.demoToken()
			fails := &failures{t: t}
			reqs := crossTenantRequests(t, b)
			for _, r := range reqs {
				a, problem := send(ctx, svc.base, token, r)
				if problem != "" {
					fails.add("%s", problem)
				}
				if bytes.Contains(a.body, []byte(secretOrgName)) || bytes.Contains(a.body, []byte(secretEmail)) {
					fails.add("%s (%s): the answer names tenant B: %d %s", r.op.name(), r.mutation, a.status, short(a.body))
				}
				if a.status >= 200 && a.status < 300 && r.op.route.Method == http.MethodGet && r.mutation != "valid" &&
					bytes.Contains(a.body, []byte(b.org.ID)) {
					fails.add("%s (%s): a read answered with B's organization: %d %s", r.op.name(), r.mutation, a.status, short(a.body))
				}
			}
			// A login that selects B's organization must be refused.
			for _, org := range []string{b.org.ID, b.org.Code} {
				r := &request{op: findOperation(t, "upbooks.Login"), mutation: "login into B's organization " + org,
					contentType: "application/json", json: map[string]any{"username": demo.Email, "password": demo.Password, "organizationId": org}}
				r = mutate(r, "valid", nil)
				a, problem := send(ctx, svc.base, "", r)
				if problem != "" {
					fails.add("%s", problem)
				}
				if a.status != http.StatusForbidden {
					fails.add("login of A selecting B's organization %s: %d %s, want 403", org, a.status, short(a.body))
				}
				reqs = append(reqs, r)
			}
			svc.stop()
			after := dumpTenant(t, url, b)
			tables := 0
			for table, sum := range before {
				if after[table] != sum {
					fails.add("tenant B's table %s changed (sha256 %s -> %s)", table, sum[:12], after[table][:12])
				}
				tables++
			}
			t.Logf("%d requests; tenant B's %d tables compared byte for byte", len(reqs), tables)
			figures(t, "cross-tenant matrix", string(backend), len(reqs), fails.count(), time.Since(start))
		})
	}
}

// tenantB is the other tenant and the ids of its data.
type tenantB struct {
	user identity.User
	org  identity.Organization
	// ids by kind: docs, invoices, returns, products, vendors
	ids map[string][]string
}

// arrangeTenants makes the demo tenant (A) and tenant B, each with data of all three families.
func arrangeTenants(t *testing.T, url string) tenantB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, url, storetest.Options())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ids := storetest.Identity(db)
	seeder := demo.New(db, ids)
	if _, _, err := seeder.EnsureDemo(ctx); err != nil {
		t.Fatal(err)
	}
	u, err := ids.CreateUser(ctx, identity.NewUser{Email: secretEmail, Name: "Tenant B", Password: "tenant-b-password"})
	if err != nil {
		t.Fatal(err)
	}
	org, err := ids.CreateOrganization(ctx, identity.NewOrganization{Name: secretOrgName, Location: "Pune", State: "Maharashtra", OwnerUserID: u.ID})
	if err != nil {
		t.Fatal(err)
	}
	for _, family := range seeder.Families() {
		if err := seeder.Seed(ctx, family, org.ID, 300, nil); err != nil {
			t.Fatalf("seed B's %s: %v", family, err)
		}
	}
	sqlDB, err := db.SQL()
	if err != nil {
		t.Fatal(err)
	}
	b := tenantB{user: u, org: org, ids: map[string][]string{}}
	for kind, q := range map[string]string{
		"docs":     "SELECT id FROM invx_documents WHERE organization_id = $1 ORDER BY id LIMIT 3",
		"invoices": "SELECT CAST(id AS TEXT) FROM ultrabiz_purchase_invoices WHERE organization_id = $1 ORDER BY id DESC LIMIT 2",
		"returns":  "SELECT CAST(id AS TEXT) FROM ultrabiz_purchase_returns WHERE organization_id = $1 ORDER BY id DESC LIMIT 2",
		"products": "SELECT id FROM ultrabiz_products WHERE organization_id = $1 ORDER BY id LIMIT 2",
		"vendors":  "SELECT CAST(id AS TEXT) FROM ultrabiz_vendors WHERE organization_id = $1 ORDER BY id DESC LIMIT 2",
	} {
		b.ids[kind] = queryStrings(t, sqlDB, q, org.ID)
	}
	for _, kind := range []string{"docs", "invoices", "products", "vendors"} {
		if len(b.ids[kind]) == 0 {
			t.Fatalf("tenant B has no %s", kind)
		}
	}
	// An invoice id B has and A has not, so a delete by it can only reach B's.
	b.ids["invoices"] = append(b.ids["invoices"], "999999")
	b.ids["returns"] = append(b.ids["returns"], b.ids["invoices"]...)
	return b
}

func queryStrings(t *testing.T, db *sql.DB, q string, args ...any) []string {
	t.Helper()
	rows, err := db.Query(q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// candidates are B's values for a parameter or body field, by its name (case, '-' and '_' ignored).
func (b tenantB) candidates(name string) []string {
	n := strings.NewReplacer("-", "", "_", "").Replace(strings.ToLower(name))
	switch n {
	case "id", "orgid", "organizationid":
		return []string{b.org.ID, b.org.Code}
	case "docid", "documentid", "docids":
		return b.ids["docs"]
	case "invoiceid", "purchaseid":
		return b.ids["invoices"]
	case "returnid":
		return b.ids["returns"]
	case "productid":
		return b.ids["products"]
	case "vendorid":
		return b.ids["vendors"]
	case "userid", "createdby":
		return []string{fmt.Sprint(b.user.Number), b.user.ID}
	}
	return nil
}

// crossTenantRequests are A's valid requests with one of B's ids in place of A's, every place an id
// goes, for every operation.
func crossTenantRequests(t *testing.T, b tenantB) []*request {
	t.Helper()
	var out []*request
	for _, op := range operations(t) {
		base := baseRequest(op)
		out = append(out, mutate(base, "valid", nil))
		for _, p := range op.params {
			for _, v := range b.candidates(p.Name) {
				r := mutate(base, "valid", nil)
				r.mutation = fmt.Sprintf("%s %s = B's %s", p.In, p.Name, v)
				switch p.In {
				case "path":
					r.path[p.Name] = v
				case "query":
					r.query.Set(p.Name, v)
				case "header":
					r.header.Set(p.Name, v)
				}
				out = append(out, r)
			}
		}
		// The ORGANIZATION-ID header on every operation, declared or not.
		for _, v := range []string{b.org.Code, b.org.ID} {
			r := mutate(base, "valid", nil)
			r.mutation = "header ORGANIZATION-ID = B's " + v
			r.header.Set("ORGANIZATION-ID", v)
			out = append(out, r)
		}
		if base.json != nil {
			for _, path := range leafPaths(base.json, "") {
				for _, v := range b.candidates(path[strings.LastIndex(path, "/")+1:]) {
					r := mutate(base, "valid", nil)
					r.json = setPath(deepCopy(base.json), path, v)
					r.mutation = fmt.Sprintf("body %s = B's %s", path, v)
					r = mutate(r, "valid", nil)
					r.mutation = fmt.Sprintf("body %s = B's %s", path, v)
					out = append(out, r)
				}
			}
		}
	}
	return out
}

// leafPaths lists the keys of v's objects at any depth as slash-separated paths (array indexes
// included), so a body field can be replaced wherever it is.
func leafPaths(v any, prefix string) []string {
	var out []string
	switch x := v.(type) {
	case map[string]any:
		for _, k := range sortedKeys(x) {
			out = append(out, prefix+"/"+k)
			out = append(out, leafPaths(x[k], prefix+"/"+k)...)
		}
	case []any:
		for i, y := range x {
			out = append(out, leafPaths(y, fmt.Sprintf("%s/%d", prefix, i))...)
		}
	}
	return out
}

// setPath sets the value at path in v, keeping the old value's type when it was a number.
func setPath(v any, path, value string) any {
	parts := strings.Split(strings.TrimPrefix(path, "/"), "/")
	cur := v
	for i, p := range parts {
		last := i == len(parts)-1
		switch x := cur.(type) {
		case map[string]any:
			if last {
				x[p] = typed(x[p], value)
				return v
			}
			cur = x[p]
		case []any:
			var idx int
			fmt.Sscan(p, &idx)
			if idx >= len(x) {
				return v
			}
			if last {
				x[idx] = typed(x[idx], value)
				return v
			}
			cur = x[idx]
		}
	}
	return v
}

func typed(old any, value string) any {
	switch old.(type) {
	case float64:
		var f float64
		if _, err := fmt.Sscan(value, &f); err == nil {
			return f
		}
	case []any:
		return []any{value}
	}
	return value
}

func findOperation(t *testing.T, name string) operation {
	t.Helper()
	for _, op := range operations(t) {
		if op.name() == name {
			return op
		}
	}
	t.Fatalf("no operation %s", name)
	return operation{}
}

// dumpTenant hashes B's rows: every table with an organization_id column (rows of B's
// organization), B's organization and B's user, each table's rows rendered as text and sorted.
func dumpTenant(t *testing.T, url string, b tenantB) map[string]string {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, url, storetest.Options())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sqlDB, err := db.SQL()
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	if db.DialectName() == "sqlite" {
		tables = queryStrings(t, sqlDB, `SELECT m.name FROM sqlite_master m, pragma_table_info(m.name) p
			WHERE m.type = 'table' AND p.name = 'organization_id' ORDER BY m.name`)
	} else {
		tables = queryStrings(t, sqlDB, `SELECT table_name FROM information_schema.columns
			WHERE table_schema = 'public' AND column_name = 'organization_id' ORDER BY table_name`)
	}
	if len(tables) < 50 {
		t.Fatalf("only %d tenant tables found: %v", len(tables), tables)
	}
	out := map[string]string{}
	for _, table := range tables {
		out[table] = hashRows(t, sqlDB, "SELECT * FROM "+table+" WHERE organization_id = $1", b.org.ID)
	}
	out["organizations"] = hashRows(t, sqlDB, "SELECT * FROM organizations WHERE id = $1", b.org.ID)
	out["users"] = hashRows(t, sqlDB, "SELECT * FROM users WHERE id = $1", b.user.ID)
	return out
}

// hashRows renders every row of q as one line of all its columns, sorts the lines and hashes them.
func hashRows(t *testing.T, db *sql.DB, q string, args ...any) string {
	t.Helper()
	rows, err := db.Query(q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	all, err := storetest.ScanAll(rows)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, vals := range all {
		var sb strings.Builder
		for i, v := range vals {
			if b, ok := v.([]byte); ok {
				v = string(b)
			}
			fmt.Fprintf(&sb, "%s=%#v\x1f", cols[i], v)
		}
		lines = append(lines, sb.String())
	}
	sort.Strings(lines)
	sum := sha256.Sum256([]byte(strings.Join(lines, "\n")))
	return fmt.Sprintf("%s (%d rows)", hex.EncodeToString(sum[:]), len(lines))
}
