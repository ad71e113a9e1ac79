package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/labstack/echo/v4"

	"github.com/deletesvc/deletesvc/server/servertest"
	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/storetest"
	upbooksstore "github.com/deletesvc/deletesvc/store/upbooks"
)

// smallGoal is issue 13's for a small request: at least 0.7x the bare handler's rate.
var smallGoal = atLeast(0.7)

// smallPerRound is how many requests of each kind a round sends.
const smallPerRound = 300

// smallRows compares requests per second from one client over loopback HTTP: a bare Echo handler
// (fixed JSON, no middleware), GetOrganizationDetail, and a dry run of DeleteSelectiveData with all
// 46 flags false on an empty organization; interleaved rounds, medians.
func smallRows(c config) []row {
	var rows []row
	for _, backend := range c.backends {
		measure("small "+string(backend), func(t tb) {
			rates, samples, cpu := smallBench(t, c, backend)
			for _, k := range []string{"GetOrganizationDetail", "DeleteSelectiveData dryRun, 46 flags false, empty org"} {
				rows = append(rows, row{family: "small requests",
					workload: "Upbooks " + k + ", one client", backend: string(backend),
					service: fmt.Sprintf("%.0f req/s", rates[k]), rawFKs: fmt.Sprintf("%.0f req/s", rates["bare+query"]), floor: fmt.Sprintf("%.0f req/s", rates["bare"]),
					ratio: rates[k] / rates["bare"], ratioOf: "service/bare", goal: smallGoal, rounds: roundRatios(samples[k], samples["bare"]),
					more: []namedRatio{{x: rates[k] / rates["bare+query"], of: "service/bare+query"},
						{x: rates[k] / rates["bare+row"], of: "service/bare+query+row answered"},
						{x: rates["bare+row"] / rates["bare"], of: "bare+query+row answered/bare", rounds: roundRatios(samples["bare+row"], samples["bare"])}},
					cost:     fmt.Sprintf("%.0f us per request (bare Echo: %.0f us, bare Echo + query: %.0f us, + the row answered: %.0f us)", cpu[k], cpu["bare"], cpu["bare+query"], cpu["bare+row"]),
					baseline: fmt.Sprintf("floor: a bare Echo handler answering fixed JSON on its own httptest server, same client; raw SQL column: the same handler first reading the organization, its state and the caller's membership (the guard's one query), its statement kept prepared (on PostgreSQL over pgx itself, as the service's is; on SQLite over database/sql); row answered: that handler answering the row it read (each column's bytes as a JSON string); median of %d rounds x %d requests", c.rounds, smallPerRound),
				})
			}
		})
	}
	return rows
}

// smallBench returns each kind's median rate, its rate in each round, and its CPU per request.
func smallBench(t tb, c config, backend storetest.Backend) (rates map[string]float64, samples map[string][]float64, cpuMicros map[string]float64) {
	dbURL := storetest.URL(t, backend)
	db, err := store.Open(context.Background(), dbURL, storetest.Options())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	var env *servertest.Env
	labelled("service", func() { env = servertest.Start(t, db) })
	owner, org := storetest.Tenant(t, db, "small@example.com")
	token := "Bearer " + env.Token(t, owner, org.ID)
	e := echo.New()
	e.GET("/hello", func(c echo.Context) error {
		return c.JSON(http.StatusOK, map[string]string{"message": "hello"})
	})
	// The same bare handler reading what GetOrganizationDetail's guard reads (the organization, its
	// state and the caller's membership) in one query, its statement kept prepared as the
	// service's is (store.DB.QueryRow): on PostgreSQL sent over pgx itself, which caches it per
	// connection; on SQLite a database/sql prepared statement. The least any request that checks
	// membership in the database can cost.
	plain := storetest.PlainDB(t, backend, dbURL)
	memberQuery := storetest.Rebind(backend, "SELECT organizations.*, s.settings, s.version, s.updated_at, m.role AS role FROM organizations "+
		"JOIN memberships m ON m.organization_id = organizations.id AND m.user_id = ? "+
		"JOIN organization_state s ON s.organization_id = organizations.id AND s.organization_id = ? WHERE organizations.id = ? LIMIT 1")
	var member *sql.Stmt
	if backend == storetest.SQLite {
		if member, err = plain.Prepare(memberQuery); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = member.Close() })
	}
	// memberRows runs the read and hands row each row's raw values, unless row is nil: then the
	// rows are only counted. It returns how many there were, and the columns' names where row is not nil.
	memberRows := func(ctx context.Context, row func([][]byte) error) (int, []string, error) {
		n := 0
		count := func(values [][]byte) error {
			n++
			if row == nil {
				return nil
			}
			return row(values)
		}
		if member != nil {
			if row != nil {
				columns, err := sqlRows(func() (*sql.Rows, error) { return member.QueryContext(ctx, owner.ID, org.ID, org.ID) }, count)
				return n, columns, err
			}
			rows, err := member.QueryContext(ctx, owner.ID, org.ID, org.ID)
			if err != nil {
				return 0, nil, err
			}
			for rows.Next() {
				n++
			}
			return n, nil, rows.Close()
		}
		var columns []string
		err := onPgx(ctx, plain, func(conn *pgx.Conn) error {
			rows, err := conn.Query(ctx, memberQuery, owner.ID, org.ID, org.ID)
			if err != nil {
				return err
			}
			if row != nil {
				for _, f := range rows.FieldDescriptions() {
					columns = append(columns, f.Name)
				}
			}
			return rawRows(rows, count)
		})
		return n, columns, err
	}
	e.GET("/hello-query", func(c echo.Context) error {
		if n, _, err := memberRows(c.Request().Context(), nil); err != nil || n != 1 {
			return fmt.Errorf("membership query: %d rows, %v", n, err)
		}
		return c.JSON(http.StatusOK, map[string]string{"message": "hello"})
	})
	// The same again, answering the row it read: every column's bytes as a JSON string, the least
	// work that puts the organization on the wire (the service also decodes its JSON columns and
	// shapes the document as the spec says).
	e.GET("/hello-row", func(c echo.Context) error {
		var values []string
		_, columns, err := memberRows(c.Request().Context(), func(row [][]byte) error {
			values = make([]string, len(row))
			for i, v := range row {
				values[i] = string(v)
			}
			return nil
		})
		if err != nil {
			return err
		}
		if len(values) != len(columns) {
			return fmt.Errorf("membership query: %d values for %d columns", len(values), len(columns))
		}
		doc := make(map[string]string, len(columns))
		for i, name := range columns {
			doc[name] = values[i]
		}
		return c.JSON(http.StatusOK, map[string]any{"data": doc})
	})
	var bare *httptest.Server
	labelled("bare", func() { bare = httptest.NewServer(e) })
	t.Cleanup(bare.Close)
	flags := map[string]bool{}
	for _, n := range upbooksstore.CategoryNames() {
		flags[n] = false
	}
	body, _ := json.Marshal(flags)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	do := func(method, url string, body []byte) {
		req, _ := http.NewRequest(method, url, bytes.NewReader(body))
		req.Header.Set("Authorization", token)
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s %s: %d", method, url, resp.StatusCode)
		}
	}
	kinds := []struct {
		name string
		call func()
	}{
		{"bare", func() { do(http.MethodGet, bare.URL+"/hello", nil) }},
		{"bare+query", func() { do(http.MethodGet, bare.URL+"/hello-query", nil) }},
		{"bare+row", func() { do(http.MethodGet, bare.URL+"/hello-row", nil) }},
		{"GetOrganizationDetail", func() { do(http.MethodGet, env.URL+"/api/v1/organization/"+org.ID, nil) }},
		{"DeleteSelectiveData dryRun, 46 flags false, empty org", func() {
			do(http.MethodDelete, env.URL+"/api/v1/organization/"+org.ID+"/selective?dryRun=true", body)
		}},
	}
	for _, k := range kinds { // warm up connections and caches
		for range 50 {
			k.call()
		}
	}
	samples = map[string][]float64{}
	used := map[string]time.Duration{}
	for round := range c.rounds {
		for i := range kinds {
			k := kinds[(i+round)%len(kinds)]
			cpu0, start := servertest.CPUTime(), time.Now()
			for range smallPerRound {
				k.call()
			}
			samples[k.name] = append(samples[k.name], smallPerRound/time.Since(start).Seconds())
			used[k.name] += servertest.CPUTime() - cpu0
		}
	}
	rates, cpuMicros = map[string]float64{}, map[string]float64{}
	for name, xs := range samples {
		rates[name] = median(xs)
		cpuMicros[name] = float64(used[name]) / float64(time.Microsecond) / float64(c.rounds*smallPerRound)
	}
	return rates, samples, cpuMicros
}
