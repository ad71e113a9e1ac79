package main

import (
	"bytes"
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/labstack/echo/v4"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib" // "pgx": the plain connection of the raw baseline
	_ "modernc.org/sqlite"           // "sqlite"

	gen "github.com/deletesvc/deletesvc/gen/invx"
	"github.com/deletesvc/deletesvc/openapi"
	"github.com/deletesvc/deletesvc/server"
	"github.com/deletesvc/deletesvc/server/api"
	invxh "github.com/deletesvc/deletesvc/server/invx"
	"github.com/deletesvc/deletesvc/server/servertest"
	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/activity"
	"github.com/deletesvc/deletesvc/store/identity"
	invxstore "github.com/deletesvc/deletesvc/store/invx"
	"github.com/deletesvc/deletesvc/store/storetest"
)

// invxDocs is the size of the bulk request, the spec's maximum.
const invxDocs = 1000

// invxReps is how many requests of each variant a round times.
const invxReps = 8

// invxRows times the bulk `del` of 1000 documents over HTTP (client wall: loopback, auth,
// validation, store, JSON answer, read whole) against the one UPDATE … RETURNING of the columns the
// answer shows, in the service's own row form, on a plain connection to the same database (eachRow),
// and against floors that answer over HTTP. Before every sample (untimed) the documents are put
// back to CREATED, and on PostgreSQL their table is vacuumed.
func invxRows(c config) []row {
	var rows []row
	for _, backend := range c.backends {
		measure("invx "+string(backend), func(t tb) {
			res := invxBench(t, c, backend)
			d, cost := res.median, res.cost
			cpuOf := func(k int) string {
				if backend != storetest.Postgres {
					return fmt.Sprintf("%.1f", ms64(cost.proc[k]))
				}
				return fmt.Sprintf("%.1f (Go %.1f + PostgreSQL %.1f)", ms64(cost.proc[k]+cost.db[k]), ms64(cost.proc[k]), ms64(cost.db[k]))
			}
			over := func(a, b int) float64 { return d[a].Seconds() / d[b].Seconds() }
			r := row{family: "invx",
				workload: "invx bulk `del`, 1000 documents, HTTP end to end", backend: string(backend),
				service: ms(d[invxService]), rawFKs: ms(d[invxRaw]), floor: ms(d[invxBare]) + " (bare HTTP + the statement)",
				ratio: over(invxService, invxRaw), ratioOf: "service/raw, " + roundRange(res.rounds[invxService]), goal: atMost(1.5), rounds: res.rounds[invxService],
				cost: fmt.Sprintf("service %s ms per request, raw %s, bare HTTP %s; service/raw %.2fx on a CPU-bound machine",
					cpuOf(invxService), cpuOf(invxRaw), cpuOf(invxBare), float64(cost.proc[invxService]+cost.db[invxService])/float64(cost.proc[invxRaw]+cost.db[invxRaw])),
				baseline: fmt.Sprintf("UPDATE invx_documents … WHERE id = ANY(the 1000 ids) RETURNING the answer's 18 columns, rows read (SQLite: UPDATE OR ROLLBACK … IN (…), as the service's), in the service's own row form: on PostgreSQL over pgx on a session that plans with the values (plan_cache_mode force_custom_plan, as the service's transaction), the columns as text read raw; on SQLite the id and the other 17 texts joined in one, over database/sql as raw bytes, opened as the service opens it; every floor reads its rows the same way (on SQLite then splitting the joined text); \"bare HTTP + the statement\": a bare Echo handler that decodes the same body, runs that statement and writes its rows as a JSON array (no auth, validation, transaction or activity entry): the least an HTTP service answering the rows costs; \"+ its activity entry\": the same handler running the statement and the activity entry the service writes (the same JSON details) in one transaction, answering after the commit, as the service does (on PostgreSQL over pgx itself, pipelined in two round trips as the service's are, the rows read raw as text): the least a service that logs each delete costs; \"+ the service's validation and membership read\": that handler behind the service's own check of each request against the spec (server.Validation: kin-openapi and the compiled body check), at the operation's path and method, reading the caller's membership first as the service's guard does: the least a service that validates requests from the spec, checks who may act and logs each delete costs; \"scripted service\": the service's own server, every middleware included (authentication, input checks, validation, the membership guard, the Idempotency-Key layer, logs, metrics, the generated handler's decoding), its bulk handler doing the activity entry's floor (statement and entry in one transaction, rows answered as that floor answers them) instead of calling the store: service/scripted service is what the store, the handler and the service's answer cost beyond that floor's statement, entry and rows answered; median of %d rounds x %d", c.rounds, invxReps),
			}
			r.floor += "; " + ms(d[invxLogged]) + " (+ its activity entry, one transaction); " + ms(d[invxValidated]) + " (+ the service's validation and membership read); " +
				ms(d[invxScripted]) + " (the service's server, its handler doing the activity entry's floor)"
			r.more = []namedRatio{{x: over(invxBare, invxRaw), of: "bare HTTP + the statement/raw", rounds: res.rounds[invxBare]},
				{x: over(invxLogged, invxRaw), of: "bare HTTP + the statement + its activity entry/raw", rounds: res.rounds[invxLogged]},
				{x: over(invxValidated, invxRaw), of: "+ the service's validation and membership read/raw", rounds: res.rounds[invxValidated]},
				{x: over(invxScripted, invxRaw), of: "scripted service/raw", rounds: res.rounds[invxScripted]},
				{x: over(invxService, invxValidated), of: "service/validated floor"},
				{x: over(invxService, invxScripted), of: "service/scripted service"}}
			r.cost += fmt.Sprintf("; bare HTTP + the activity entry %s, + validation and membership read %s, scripted service %s",
				cpuOf(invxLogged), cpuOf(invxValidated), cpuOf(invxScripted))
			perDoc := func(k int) string {
				return fmt.Sprintf("%.1f (%.0f B)", cost.allocs[k]/invxDocs, cost.allocBytes[k]/invxDocs)
			}
			r.cost += fmt.Sprintf(". Heap allocations of this process per document: service %s, raw %s, bare HTTP %s, + the activity entry %s, + validation and membership read %s, scripted service %s",
				perDoc(invxService), perDoc(invxRaw), perDoc(invxBare), perDoc(invxLogged), perDoc(invxValidated), perDoc(invxScripted))
			rows = append(rows, r)
		})
	}
	return rows
}

// The variants invxBench times, in the order of their arrays.
const (
	invxService   = iota // the service over HTTP
	invxRaw              // the one statement on a plain connection
	invxBare             // bare HTTP + the statement
	invxLogged           // + its activity entry, one transaction
	invxValidated        // + the service's validation and membership read
	invxScripted         // the service's own server doing the logged floor's work
	invxVariants
)

// invxLogs says which variants write the activity entry of each delete.
var invxLogs = [invxVariants]bool{invxService: true, invxLogged: true, invxValidated: true, invxScripted: true}

// invxCost is the mean cost of one request of each variant: CPU, this process's (the HTTP
// client's too) and, on PostgreSQL, the database's backends'; and this process's heap allocations,
// objects and bytes (issue 13 asks for the service's per item: constant and small).
type invxCost struct {
	proc, db           [invxVariants]time.Duration
	allocs, allocBytes [invxVariants]float64
}

// invxResult is what invxBench measured of each variant: its median, each round's median over raw's
// (raw's own left empty), and its cost.
type invxResult struct {
	median [invxVariants]time.Duration
	rounds [invxVariants][]float64
	cost   invxCost
}

func invxBench(t tb, c config, backend storetest.Backend) invxResult {
	ctx := context.Background()
	dbURL := storetest.URL(t, backend)
	db, err := store.Open(ctx, dbURL, storetest.Options())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	plain := storetest.PlainDB(t, backend, storetest.CustomPlans(t, backend, dbURL))
	var env *servertest.Env
	labelled("service", func() { env = servertest.Start(t, db) })
	u, org := storetest.Tenant(t, db, "bench@example.com")
	ids, err := env.Invx.SeedDocuments(ctx, org.ID, invxDocs, []invxstore.Status{invxstore.Created}, nil)
	if err != nil {
		t.Fatal(err)
	}
	body := make([]gen.DocumentAction, len(ids))
	for i, id := range ids {
		body[i] = gen.DocumentAction{Action: gen.ActionDelete}
		if err := body[i].DocId.UnmarshalText([]byte(id)); err != nil {
			t.Fatal(err)
		}
	}
	payload, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	// Every sample starts from the same table. On PostgreSQL each UPDATE leaves 1000 dead row
	// versions (and, unless HOT, their index entries); left to autovacuum, what a statement costs
	// drifted with them (its backend's CPU, logged per statement: 9-19 ms in a run's first blocks,
	// 3-7 ms in its last, for the service and raw alike), so the variant that ran first paid more.
	// VACUUM clears them before each sample, untimed.
	reset := func() {
		if _, err := plain.ExecContext(ctx, storetest.Rebind(backend, "UPDATE invx_documents SET status = '200', last_updated_by_user_id = NULL WHERE organization_id = ?"), org.ID); err != nil {
			t.Fatal(err)
		}
		if backend != storetest.SQLite {
			if _, err := plain.ExecContext(ctx, "VACUUM invx_documents"); err != nil {
				t.Fatal(err)
			}
		}
	}
	url := invxBulkURL(env.URL, org.ID)
	token := env.Token(t, u, org.ID)
	client := &http.Client{}
	// One buffer for every answer: the client's garbage (1.2 MB a request read with io.ReadAll) is no
	// cost of the service, yet its collection shared this process with the service.
	var answer bytes.Buffer
	// Each variant returns the check of what it got, run once the clock has stopped: counting the
	// 1000 item statuses in the 600 KB answer is the benchmark's work, not the service's.
	// send reads the answer whole but does not decode it: the client's decoding is no cost of the
	// service. Its check wants every document to carry success.
	send := func(req *http.Request, success string) (check func()) {
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		answer.Reset()
		_, err = answer.ReadFrom(res.Body)
		_ = res.Body.Close()
		return func() {
			if err != nil || res.StatusCode != http.StatusOK || bytes.Count(answer.Bytes(), []byte(success)) != len(ids) {
				t.Fatalf("%s %s: %d %v %.300s", req.Method, req.URL, res.StatusCode, err, answer.Bytes())
			}
		}
	}
	// viaHTTP sends the service's request to url; what every document of the answer must carry is
	// success. Of the floors, only the scripted service checks the token (servertest signs every
	// server's tokens with one secret).
	viaHTTP := func(method, url, success string) func() (check func()) {
		return func() (check func()) {
			req, _ := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(payload))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-FLYNN-N-USER-TOKEN", token)
			return send(req, success)
		}
	}
	q, args := rawInvxDelete(backend, org.ID, u.ID, ids)
	viaSQL := func() (check func()) {
		got := 0
		err := eachRow(ctx, backend, plain, q, args, func([][]byte) error { got++; return nil })
		return func() {
			if err != nil || got != len(ids) {
				t.Fatalf("raw update returned %d rows: %v", got, err)
			}
		}
	}
	var bareURL, loggedURL, validatedURL, scriptedURL string
	labelled("bare", func() { bareURL = bareInvxServer(t, backend, plain, org.ID, u.ID, false, false) })
	labelled("logged", func() { loggedURL = bareInvxServer(t, backend, plain, org.ID, u.ID, true, false) })
	labelled("validated", func() { validatedURL = bareInvxServer(t, backend, plain, org.ID, u.ID, true, true) })
	labelled("scripted", func() { scriptedURL = scriptedInvxServer(t, db, backend, plain, org.ID, u.ID) })
	// The validated floor refuses what the spec refuses (an action it does not list): without its
	// checks, its handler would run the statement and answer 200.
	invalid := bytes.Replace(payload, []byte(`"action":"del"`), []byte(`"action":"erase"`), 1)
	if bytes.Equal(invalid, payload) {
		t.Fatalf("the bulk body has no del action to spoil: %.100s", payload)
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPatch, validatedURL, bytes.NewReader(invalid))
	req.Header.Set("Content-Type", "application/json")
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	refusal, err := io.ReadAll(res.Body)
	_ = res.Body.Close()
	if err != nil || res.StatusCode != http.StatusBadRequest || !bytes.Contains(refusal, []byte("action")) {
		t.Fatalf("the validated bare server did not refuse an action the spec does not list: %d %v %.300s", res.StatusCode, err, refusal)
	}
	const deleted = `"status":"260"` // a floor's row of a deleted document
	variants := [invxVariants]func() func(){
		invxService:   viaHTTP(http.MethodPatch, url, `"itemStatus":"1"`),
		invxRaw:       viaSQL,
		invxBare:      viaHTTP(http.MethodPost, bareURL, deleted),
		invxLogged:    viaHTTP(http.MethodPost, loggedURL, deleted),
		invxValidated: viaHTTP(http.MethodPatch, validatedURL, deleted),
		invxScripted:  viaHTTP(http.MethodPatch, scriptedURL, deleted),
	}
	var out invxResult
	cost := &out.cost
	samples := make([][]time.Duration, len(variants))
	for _, v := range variants { // warm up connections, caches and the statement cache
		reset()
		v()()
	}
	for round := range c.rounds {
		backends := databaseBackends(t, backend, plain)
		for i := range variants {
			k := (i + round) % len(variants)
			for range invxReps {
				reset()
				// Nested windows: the backends' CPU around this process's allocations around its
				// CPU around the clock, so that no reading costs what another one measures.
				db0 := backendsCPU(backends)
				objects0, bytes0 := heapAllocs()
				cpu0, start := servertest.CPUTime(), time.Now()
				check := variants[k]()
				elapsed := time.Since(start)
				cost.proc[k] += servertest.CPUTime() - cpu0
				objects, bytes := heapAllocs()
				cost.db[k] += backendsCPU(backends) - db0
				cost.allocs[k] += float64(objects - objects0)
				cost.allocBytes[k] += float64(bytes - bytes0)
				samples[k] = append(samples[k], elapsed)
				check()
			}
		}
	}
	for k := range samples {
		cost.proc[k] /= time.Duration(len(samples[k]))
		cost.db[k] /= time.Duration(len(samples[k]))
		cost.allocs[k] /= float64(len(samples[k]))
		cost.allocBytes[k] /= float64(len(samples[k]))
	}
	// perRound is variant k's median in each round.
	perRound := func(k int) []float64 {
		var rs []float64
		for r := range c.rounds {
			rs = append(rs, median(samples[k][r*invxReps:(r+1)*invxReps]).Seconds())
		}
		return rs
	}
	rawRounds := perRound(invxRaw)
	// Every request of the variants that log, warm-ups included, left one entry.
	var entries int
	if err := plain.QueryRowContext(ctx, storetest.Rebind(backend, "SELECT count(*) FROM "+activity.Entry{}.TableName()+" WHERE organization_id = ? AND action = ?"),
		org.ID, activity.InvxDeleteDocuments).Scan(&entries); err != nil {
		t.Fatal(err)
	}
	logging := 0
	for k := range invxVariants {
		out.median[k] = median(samples[k])
		if k != invxRaw {
			out.rounds[k] = roundRatios(perRound(k), rawRounds)
		}
		if invxLogs[k] {
			logging++
		}
	}
	if want := logging * (c.rounds*invxReps + 1); entries != want {
		t.Fatalf("%d activity entries, want %d: a variant that logs did not log every delete", entries, want)
	}
	return out
}

// databaseBackends are the pids of the PostgreSQL backends connected to plain's database, plain's
// own included (none on SQLite, which runs in this process). The pools keep their connections, so
// the list holds for a round.
func databaseBackends(t tb, backend storetest.Backend, plain *sql.DB) []int {
	if backend != storetest.Postgres {
		return nil
	}
	pids, err := backendPIDs(plain, false)
	if err != nil {
		t.Fatal(err)
	}
	return pids
}

// heapAllocs is how many heap objects, and bytes, this process has allocated so far, exactly:
// runtime.ReadMemStats stops the world to count what each P has not yet reported (runtime/metrics
// lags by up to a span of each size class per P). Read outside the timed window.
func heapAllocs() (objects, bytes uint64) {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.Mallocs, m.TotalAlloc
}

// backendsCPU is the CPU the processes have run so far.
func backendsCPU(pids []int) time.Duration {
	var sum time.Duration
	for _, pid := range pids {
		if used, ok := processCPU(pid); ok {
			sum += used
		}
	}
	return sum
}

func ms64(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// invxFloorDelete is the floors' work for one request: run rawInvxDelete of ids and write every
// row, as a JSON object of its 18 columns (as text), in one array through write, with no
// authentication, validation, transaction or activity entry. With logged it also writes the
// activity entry the service writes for the delete (the same JSON details), in one transaction with
// the statement, and answers after the commit, as the service does; unlogged, it answers as the rows
// come. Either way write gets the answer in the service's pieces (invxh.AnswerPiece); logged, they
// are slices of one buffer that stays untouched. Rows are read as eachRow reads them.
func invxFloorDelete(t tb, backend storetest.Backend, plain *sql.DB, orgID, userID string, logged bool) func(ctx context.Context, ids []string, write func([]byte) error) error {
	columns := invxstore.ReturnedColumns()
	// The logged floor's transaction on PostgreSQL runs the settings the service's large batch
	// runs (store/invx: tuneLarge), so that it pays for them as the service does: plain's sessions
	// already plan with the values (storetest.CustomPlans), and lz4 stores the 110 KB entry faster
	// than pglz.
	var lz4 bool
	if logged && backend != storetest.SQLite {
		if err := plain.QueryRow(invxstore.LZ4Supported).Scan(&lz4); err != nil {
			t.Fatal(err)
		}
	}
	tune := invxstore.LargeBatchTuning(lz4)
	return func(ctx context.Context, ids []string, write func([]byte) error) error {
		// Logged, the whole answer is held until the commit, beside the activity entry's documents
		// (sized as the service sizes them); unlogged, a piece at a time.
		var buf, docs []byte
		if logged {
			buf, docs = make([]byte, 0, 700*len(ids)), make([]byte, 0, invxstore.DeletedDocumentSize*len(ids))
		} else {
			buf = make([]byte, 0, invxh.AnswerPiece+4<<10)
		}
		buf = append(buf, '[')
		n := 0
		row := func(values [][]byte) error {
			if n > 0 {
				buf = append(buf, ',')
			}
			n++
			var err error
			if buf, err = appendRowJSON(buf, columns, values); err != nil {
				return err
			}
			if logged { // the service's details (in the rows' order)
				docs = invxstore.AppendDeletedDocument(docs, values[2], values[1], values[5])
				return nil
			}
			if len(buf) >= invxh.AnswerPiece {
				if err := write(buf); err != nil {
					return err
				}
				buf = buf[:0]
			}
			return nil
		}
		if backend == storetest.SQLite { // rows come as (id, joined): split them into the columns
			whole, values, null := row, make([][]byte, len(columns)), make([]bool, len(columns))
			row = func(joined [][]byte) error {
				if err := invxstore.SplitSeparated(joined[0], joined[1], values, null); err != nil {
					return fmt.Errorf("document %s: %w", joined[0], err)
				}
				return whole(values)
			}
		}
		details := func() string { return invxstore.DeletesDetails(n, docs) }
		q, args := rawInvxDelete(backend, orgID, userID, ids)
		var err error
		switch {
		case !logged:
			err = eachRow(ctx, backend, plain, q, args, row)
		case backend != storetest.SQLite: // PostgreSQL or Citus
			err = loggedPostgres(ctx, plain, tune, q, args, row, orgID, userID, details)
		default:
			err = loggedSQLite(ctx, plain, q, args, row, orgID, userID, details)
		}
		if err != nil {
			return err
		}
		// In the service's pieces: one write of the whole answer was slower (server/invx: AnswerPiece).
		for buf = append(buf, ']'); len(buf) > 0; {
			n := min(len(buf), invxh.AnswerPiece)
			if err := write(buf[:n]); err != nil {
				return err
			}
			buf = buf[n:]
		}
		return nil
	}
}

// bareInvxServer serves invxFloorDelete behind a bare Echo handler that decodes the body's
// document ids. With validate it first checks each request against the spec as the service does
// (server.Validation: kin-openapi and the compiled body check), at the operation's own path and
// method, then reads the caller's membership of the organization, as the service's guard does (its
// statement kept prepared; on PostgreSQL over pgx itself, as store.DB.QueryRow sends it): the
// checks every request of the service makes. Of the service's authentication it leaves out the
// token's check, for a token seen before a map lookup (auth.Tokens). It answers at the URL it
// returns.
func bareInvxServer(t tb, backend storetest.Backend, plain *sql.DB, orgID, userID string, logged, validate bool) string {
	del := invxFloorDelete(t, backend, plain, orgID, userID, logged)
	memberQuery := storetest.Rebind(backend, identity.MemberRoleQuery)
	var member *sql.Stmt
	if validate && backend == storetest.SQLite {
		var err error
		if member, err = plain.Prepare(memberQuery); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = member.Close() })
	}
	isMember := func(ctx context.Context) error {
		var role string
		if member != nil {
			return member.QueryRowContext(ctx, orgID, userID).Scan(&role)
		}
		return onPgx(ctx, plain, func(pc *pgx.Conn) error { return pc.QueryRow(ctx, memberQuery, orgID, userID).Scan(&role) })
	}
	e := echo.New()
	handler := func(c echo.Context) error {
		var items []struct {
			DocID string `json:"docId"`
		}
		if err := jsonv2.UnmarshalRead(c.Request().Body, &items); err != nil {
			return err
		}
		ids := make([]string, len(items))
		for i, it := range items {
			ids[i] = it.DocID
		}
		ctx := c.Request().Context()
		if validate {
			if err := isMember(ctx); err != nil {
				return fmt.Errorf("membership: %w", err)
			}
		}
		w := c.Response()
		write := func(buf []byte) error {
			if !w.Committed {
				w.Header().Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
				w.WriteHeader(http.StatusOK)
			}
			_, err := w.Write(buf)
			return err
		}
		return del(ctx, ids, write)
	}
	if !validate {
		e.POST("/bulk", handler)
		srv := httptest.NewServer(e)
		t.Cleanup(srv.Close)
		return srv.URL + "/bulk"
	}
	spec, err := openapi.Load("invx")
	if err != nil {
		t.Fatal(err)
	}
	// A refused request answers with the validator's status and message (Echo's default handler
	// would answer 500 to an error it does not know).
	e.HTTPErrorHandler = func(err error, c echo.Context) {
		var refused *api.Error
		if errors.As(err, &refused) {
			_ = c.String(refused.Status, refused.Message)
			return
		}
		e.DefaultHTTPErrorHandler(err, c)
	}
	const path = "/invx/apis/:iridessa-version/orgs/:org-id/document/bulk"
	authenticated := func(echo.Context) bool { return true } // no authentication, as the other floors
	e.PATCH(path, handler, server.Validation(spec, http.MethodPatch, path, authenticated))
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return invxBulkURL(srv.URL, orgID)
}

// invxBulkURL is the bulk operation's URL on the server at base, for orgID.
func invxBulkURL(base, orgID string) string {
	return base + "/invx/apis/v1/orgs/" + orgID + "/document/bulk"
}

// appendRowJSON appends a row as a JSON object of its columns' texts (NULL as null).
func appendRowJSON(buf []byte, columns []string, values [][]byte) ([]byte, error) {
	buf = append(buf, '{')
	for i, col := range columns {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(append(append(buf, '"'), col...), '"', ':') // plain identifiers
		if values[i] == nil {
			buf = append(buf, "null"...)
			continue
		}
		var err error
		if buf, err = jsontext.AppendQuote(buf, values[i]); err != nil {
			return nil, err
		}
	}
	return append(buf, '}'), nil
}

// eachRow runs q in autocommit and hands each row's values, as bytes, to row, reading rows as the
// service reads its own: on PostgreSQL over pgx itself, the raw values of text columns
// (rawInvxDelete casts the others; database/sql's pgx driver would first turn every value into a
// Go value); on SQLite over database/sql, whose driver hands over Go values either way, copied into
// reused sql.RawBytes, two a row (rawInvxDelete returns the service's joined row).
func eachRow(ctx context.Context, backend storetest.Backend, plain *sql.DB, q string, args []any, row func([][]byte) error) error {
	if backend == storetest.SQLite {
		_, err := sqlRows(func() (*sql.Rows, error) { return plain.QueryContext(ctx, q, args...) }, row)
		return err
	}
	return onPgx(ctx, plain, func(pc *pgx.Conn) error {
		rows, err := pc.Query(ctx, q, args...)
		if err != nil {
			return err
		}
		return rawRows(rows, row)
	})
}

// onPgx runs f on one of plain's connections, as pgx itself. An error wrapping driver.ErrBadConn
// drops the connection from the pool.
func onPgx(ctx context.Context, plain *sql.DB, f func(*pgx.Conn) error) error {
	conn, err := plain.Conn(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close() }()
	return conn.Raw(func(driverConn any) error { return f(driverConn.(*stdlib.Conn).Conn()) })
}

// rawRows hands each of rows' raw values to row, and closes rows.
func rawRows(rows pgx.Rows, row func([][]byte) error) error {
	defer rows.Close()
	for rows.Next() {
		if err := row(rows.RawValues()); err != nil {
			return err
		}
	}
	return rows.Err()
}

// sqlRows is eachRow over database/sql, of the rows query returns. It returns their column names.
func sqlRows(query func() (*sql.Rows, error), row func([][]byte) error) ([]string, error) {
	rows, err := query()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	columns, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	values, dest := make([][]byte, len(columns)), make([]any, len(columns))
	for i := range values {
		dest[i] = (*sql.RawBytes)(&values[i]) // Scan fills values in place
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		if err := row(values); err != nil {
			return nil, err
		}
	}
	return columns, rows.Err()
}

// insertEntry is the activity entry's INSERT, with ? placeholders.
var insertEntry = "INSERT INTO " + activity.Entry{}.TableName() + " (organization_id, id, created_at, user_id, action, details) VALUES (?, ?, ?, ?, ?, ?)"

// loggedSQLite runs q and the activity entry whose details come from details (called once every row
// went to row) in one transaction.
func loggedSQLite(ctx context.Context, plain *sql.DB, q string, args []any, row func([][]byte) error, orgID, userID string, details func() string) error {
	tx, err := plain.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }() // a no-op once committed
	if _, err := sqlRows(func() (*sql.Rows, error) { return tx.QueryContext(ctx, q, args...) }, row); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, insertEntry, orgID, store.NewObjectID(), time.Now().UTC(), userID, activity.InvxDeleteDocuments, details()); err != nil {
		return err
	}
	return tx.Commit()
}

// loggedPostgres is loggedSQLite on PostgreSQL, pipelined as the service pipelines it
// (store.PipelinedTx), over pgx itself: BEGIN, tune and q in one round trip, the entry and COMMIT
// in the next. Rows are read as eachRow reads them.
func loggedPostgres(ctx context.Context, plain *sql.DB, tune, q string, args []any, row func([][]byte) error, orgID, userID string, details func() string) error {
	return onPgx(ctx, plain, func(pc *pgx.Conn) error {
		apply := &pgx.Batch{}
		apply.Queue("BEGIN")
		apply.Queue(tune)
		apply.Queue(q, args...)
		err := func() error {
			results := pc.SendBatch(ctx, apply)
			defer func() { _ = results.Close() }()
			for range 2 { // BEGIN, tune
				if _, err := results.Exec(); err != nil {
					return err
				}
			}
			rows, err := results.Query()
			if err != nil {
				return err
			}
			if err := rawRows(rows, row); err != nil {
				return err
			}
			return results.Close()
		}()
		if err == nil {
			entry := &pgx.Batch{}
			entry.Queue(storetest.Rebind(storetest.Postgres, insertEntry),
				orgID, store.NewObjectID(), time.Now().UTC(), userID, activity.InvxDeleteDocuments, details())
			entry.Queue("COMMIT")
			err = pc.SendBatch(ctx, entry).Close()
		}
		if err == nil {
			return nil
		}
		// The request's context may be what ended it; the ROLLBACK gets its own. A connection still
		// in a transaction after it is not put back in the pool.
		rollbackCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if _, rbErr := pc.Exec(rollbackCtx, "ROLLBACK"); rbErr != nil || pc.PgConn().TxStatus() != 'I' {
			return errors.Join(err, driver.ErrBadConn)
		}
		return err
	})
}

// rawInvxDelete is the hand-written UPDATE of the same rows, reading them back in the service's row
// form (store/invx: TextColumns on PostgreSQL, SeparatedTexts on SQLite). On SQLite it is
// UPDATE OR ROLLBACK, as the service's is (store/invx: statements.update): inside a transaction (the
// logged floor's) a plain UPDATE makes SQLite keep a statement journal of every page it changes,
// 0.6-1 ms of about 9 (an interleaved probe, 2026-12-01), and a floor is the least the work costs.
// In autocommit (raw, the unlogged floor) SQLite keeps none either way.
func rawInvxDelete(backend storetest.Backend, orgID, userID string, ids []string) (string, []any) {
	now := time.Now().UnixMilli()
	if backend != storetest.SQLite {
		return "UPDATE invx_documents SET status = '260', last_updated = $1, last_updated_by_user_id = $2 WHERE organization_id = $3 AND id = ANY($4) RETURNING " + pgReturning,
			[]any{now, userID, orgID, ids}
	}
	args := []any{now, userID, orgID}
	for _, id := range ids {
		args = append(args, id)
	}
	return "UPDATE OR ROLLBACK invx_documents SET status = '260', last_updated = ?, last_updated_by_user_id = ? WHERE organization_id = ? AND id IN (?" +
		strings.Repeat(",?", len(ids)-1) + ") RETURNING " + sqliteReturning, args
}

// pgReturning and sqliteReturning are the service's RETURNING lists, built once: a floor's request
// should not pay for building them.
var pgReturning, sqliteReturning = invxstore.TextColumns(), invxstore.SeparatedTexts()
