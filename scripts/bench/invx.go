package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
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
	"github.com/deletesvc/deletesvc/server/servertest"
	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/activity"
	invxstore "github.com/deletesvc/deletesvc/store/invx"
	"github.com/deletesvc/deletesvc/store/storetest"
)

// invxDocs is the size of the bulk request, the spec's maximum.
const invxDocs = 1000

// invxReps is how many requests of each variant a round times.
const invxReps = 8

// invxRows times the bulk `del` of 1000 documents over HTTP (client wall: loopback, auth,
// validation, store, JSON answer, read whole) against the one UPDATE … RETURNING of the columns the
// answer shows, on a plain database/sql connection to the same database. Before every sample
// (untimed) the documents are put back to CREATED.
func invxRows(c config) []row {
	var rows []row
	for _, backend := range c.backends {
		measure("invx "+string(backend), func(t tb) {
			service, raw, bare, logged, validated, rounds, cpu := invxBench(t, c, backend)
			cpuOf := func(k int) string {
				if backend != storetest.Postgres {
					return fmt.Sprintf("%.1f", ms64(cpu.proc[k]))
				}
				return fmt.Sprintf("%.1f (Go %.1f + PostgreSQL %.1f)", ms64(cpu.proc[k]+cpu.db[k]), ms64(cpu.proc[k]), ms64(cpu.db[k]))
			}
			r := row{family: "invx",
				workload: "invx bulk `del`, 1000 documents, HTTP end to end", backend: string(backend),
				service: ms(service), rawFKs: ms(raw), floor: ms(bare) + " (bare HTTP + the statement)",
				ratio: service.Seconds() / raw.Seconds(), ratioOf: "service/raw, " + rounds, goal: "<= 1.5x",
				ratio2: bare.Seconds() / raw.Seconds(), ratio2Of: "bare HTTP + the statement/raw",
				cpu: fmt.Sprintf("service %s ms per request, raw %s, bare HTTP %s; service/raw %.2fx on a CPU-bound machine",
					cpuOf(0), cpuOf(1), cpuOf(2), float64(cpu.proc[0]+cpu.db[0])/float64(cpu.proc[1]+cpu.db[1])),
				baseline: fmt.Sprintf("UPDATE invx_documents (on SQLite UPDATE OR ROLLBACK, as the service's) … WHERE id IN (1000 ids) RETURNING the answer's 18 columns, rows read, over database/sql (pgx / modernc sqlite; SQLite opened as the service opens it); \"bare HTTP + the statement\": a bare Echo handler that decodes the same body, runs that statement and writes its rows as a JSON array (no auth, validation, transaction or activity entry): the least an HTTP service answering the rows costs; \"+ its activity entry\": the same handler running the statement and the activity entry the service writes (the same JSON details) in one transaction, answering after the commit, as the service does (on PostgreSQL over pgx itself, pipelined in two round trips as the service's are, the rows read raw as text): the least a service that logs each delete costs; \"+ the service's validation\": that handler behind the service's own check of each request against the spec (server.Validation: kin-openapi and the compiled body check), at the operation's path and method: the least a service that validates requests from the spec and logs each delete costs; median of %d rounds x %d", c.rounds, invxReps),
			}
			r.floor += "; " + ms(logged) + " (+ its activity entry, one transaction); " + ms(validated) + " (+ the service's validation)"
			r.more = []namedRatio{{logged.Seconds() / raw.Seconds(), "bare HTTP + the statement + its activity entry/raw"},
				{validated.Seconds() / raw.Seconds(), "+ the service's validation/raw"}, {service.Seconds() / validated.Seconds(), "service/that floor"}}
			r.cpu += fmt.Sprintf("; bare HTTP + the activity entry %s, + validation %s", cpuOf(3), cpuOf(4))
			rows = append(rows, r)
		})
	}
	return rows
}

// invxCPU is the mean CPU per request of each variant (service, raw, bare HTTP, bare HTTP with the
// activity entry, and validated too): this process's (the HTTP client's too) and, on PostgreSQL, the database's
// backends'.
type invxCPU struct{ proc, db [5]time.Duration }

// rounds is the range of the per-round service/raw ratios, each of one round's medians.
func invxBench(t tb, c config, backend storetest.Backend) (service, raw, bare, logged, validated time.Duration, rounds string, cpu invxCPU) {
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
	reset := func() {
		if _, err := plain.ExecContext(ctx, storetest.Rebind(backend, "UPDATE invx_documents SET status = '200', last_updated_by_user_id = NULL WHERE organization_id = ?"), org.ID); err != nil {
			t.Fatal(err)
		}
	}
	url := fmt.Sprintf("%s/invx/apis/v1/orgs/%s/document/bulk", env.URL, org.ID)
	token := env.Token(t, u, org.ID)
	client := &http.Client{}
	// One buffer for every answer: the client's garbage (1.2 MB a request read with io.ReadAll) is no
	// cost of the service, yet its collection shared this process with the service.
	var answer bytes.Buffer
	// Each variant returns the check of what it got, run once the clock has stopped: counting the
	// 1000 item statuses in the 600 KB answer is the benchmark's work, not the service's.
	// send reads the answer whole but does not decode it: the raw baseline does not decode its rows
	// either, and the client's decoding is no cost of the service. Its check wants every document
	// to carry success.
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
	viaHTTP := func() (check func()) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPatch, url, bytes.NewReader(payload))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-FLYNN-N-USER-TOKEN", token)
		return send(req, `"itemStatus":"1"`)
	}
	q, args := rawInvxDelete(backend, org.ID, u.ID, ids)
	viaSQL := func() (check func()) {
		r, err := plain.QueryContext(ctx, q, args...)
		if err != nil {
			t.Fatal(err)
		}
		got := 0
		for r.Next() {
			got++
		}
		err = r.Close()
		return func() {
			if err != nil || got != len(ids) {
				t.Fatalf("raw update returned %d rows: %v", got, err)
			}
		}
	}
	var bareURL, loggedURL, validatedURL string
	labelled("bare", func() { bareURL = bareInvxServer(t, backend, plain, org.ID, u.ID, false, false) })
	labelled("logged", func() { loggedURL = bareInvxServer(t, backend, plain, org.ID, u.ID, true, false) })
	labelled("validated", func() { validatedURL = bareInvxServer(t, backend, plain, org.ID, u.ID, true, true) })
	viaBareHTTP := func() (check func()) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, bareURL, bytes.NewReader(payload))
		req.Header.Set("Content-Type", "application/json")
		return send(req, `"status":"260"`)
	}
	viaLoggedHTTP := func() (check func()) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, loggedURL, bytes.NewReader(payload))
		req.Header.Set("Content-Type", "application/json")
		return send(req, `"status":"260"`)
	}
	viaValidatedHTTP := func() (check func()) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPatch, validatedURL, bytes.NewReader(payload))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-FLYNN-N-USER-TOKEN", token) // what the service's client sends; not checked
		return send(req, `"status":"260"`)
	}
	// The validated floor refuses what the spec refuses (an action it does not list): without its
	// checks, its handler would run the statement and answer 200.
	invalid := bytes.Replace(payload, []byte(`"action":"del"`), []byte(`"action":"erase"`), 1)
	if bytes.Equal(invalid, payload) {
		t.Fatalf("the bulk body has no del action to spoil: %.100s", payload)
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPatch, validatedURL, bytes.NewReader(invalid))
	req.Header.Set("Content-Type", "application/json")
	if res, err := client.Do(req); err != nil || res.StatusCode == http.StatusOK { // refused as an error (500: no error handler)
		t.Fatalf("the validated bare server took an action the spec does not list (%v, %v)", err, res)
	} else {
		_ = res.Body.Close()
	}
	variants := []func() func(){viaHTTP, viaSQL, viaBareHTTP, viaLoggedHTTP, viaValidatedHTTP}
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
				cpu0, db0, start := servertest.CPUTime(), backendsCPU(backends), time.Now()
				check := variants[k]()
				samples[k] = append(samples[k], time.Since(start))
				cpu.proc[k] += servertest.CPUTime() - cpu0
				cpu.db[k] += backendsCPU(backends) - db0
				check()
			}
		}
	}
	for k := range samples {
		cpu.proc[k] /= time.Duration(len(samples[k]))
		cpu.db[k] /= time.Duration(len(samples[k]))
	}
	var serviceRounds, rawRounds []float64
	for r := range c.rounds {
		serviceRounds = append(serviceRounds, median(samples[0][r*invxReps:(r+1)*invxReps]).Seconds())
		rawRounds = append(rawRounds, median(samples[1][r*invxReps:(r+1)*invxReps]).Seconds())
	}
	// Every request of the service and of the logged floors, warm-ups included, left one entry.
	var entries int
	if err := plain.QueryRowContext(ctx, storetest.Rebind(backend, "SELECT count(*) FROM "+activity.Entry{}.TableName()+" WHERE organization_id = ? AND action = ?"),
		org.ID, activity.InvxDeleteDocuments).Scan(&entries); err != nil {
		t.Fatal(err)
	}
	if want := 3 * (c.rounds*invxReps + 1); entries != want {
		t.Fatalf("%d activity entries, want %d: the service or a logged floor did not log every delete", entries, want)
	}
	return median(samples[0]), median(samples[1]), median(samples[2]), median(samples[3]), median(samples[4]), roundRange(serviceRounds, rawRounds), cpu
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

// bareInvxServer serves the raw statement behind a bare Echo handler: decode the body's document
// ids, run rawInvxDelete, write every row as a JSON object of its 18 columns (as text), with no
// authentication, validation, transaction or activity entry. With logged it also writes the
// activity entry the service writes for the delete (the same JSON details), in one transaction with
// the statement, and answers after the commit, as the service does. With validate it first checks
// each request against the spec as the service does (server.Validation: kin-openapi and the
// compiled body check), at the operation's own path and method. It answers at the URL it returns.
func bareInvxServer(t tb, backend storetest.Backend, plain *sql.DB, orgID, userID string, logged, validate bool) string {
	columns := strings.Split(invxReturned, ", ")
	// The logged floor's transaction on PostgreSQL is tuned as the service tunes a large batch's
	// (store/invx: tuneLarge): without a custom plan, the cached statement's generic plan searches
	// the 1000 ids linearly for every row; lz4 stores the 110 KB entry faster than pglz.
	tune := "SELECT set_config('plan_cache_mode', 'force_custom_plan', true)"
	if logged && backend == storetest.Postgres {
		var lz4 bool
		if err := plain.QueryRow("SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'").Scan(&lz4); err != nil {
			t.Fatal(err)
		}
		if lz4 {
			tune += ", set_config('default_toast_compression', 'lz4', true)"
		}
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
		if logged && backend == storetest.Postgres {
			answer, err := loggedPostgres(ctx, plain, tune, orgID, userID, ids, columns)
			if err != nil {
				return err
			}
			return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, answer)
		}
		var query interface {
			QueryContext(context.Context, string, ...any) (*sql.Rows, error)
		} = plain
		var tx *sql.Tx
		if logged {
			var err error
			if tx, err = plain.BeginTx(ctx, nil); err != nil {
				return err
			}
			defer func() { _ = tx.Rollback() }() // a no-op once committed
			query = tx
		}
		q, args := rawInvxDelete(backend, orgID, userID, ids)
		rows, err := query.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		values, dest := make([]sql.RawBytes, len(columns)), make([]any, len(columns))
		for i := range values {
			dest[i] = &values[i]
		}
		w := c.Response()
		// Unlogged, the answer streams in pieces as the rows come; logged, it is held until the commit.
		write := func(buf []byte) error {
			if !w.Committed {
				w.Header().Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
				w.WriteHeader(http.StatusOK)
			}
			_, err := w.Write(buf)
			return err
		}
		buf := make([]byte, 0, 64<<10)
		var docs []byte // the activity entry's documents, sized as the service sizes them
		if logged {
			buf, docs = make([]byte, 0, 700*len(ids)), make([]byte, 0, 100*len(ids))
		}
		buf = append(buf, '[')
		n := 0
		for ; rows.Next(); n++ {
			if err := rows.Scan(dest...); err != nil {
				return err
			}
			if n > 0 {
				buf = append(buf, ',')
			}
			if buf, err = appendRowJSON(buf, columns, values); err != nil {
				return err
			}
			if logged { // the service's details (in the rows' order)
				docs = invxstore.AppendDeletedDocument(docs, values[2], values[1], values[5])
			}
			if len(buf) > 60<<10 && !logged {
				if err := write(buf); err != nil {
					return err
				}
				buf = buf[:0]
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		buf = append(buf, ']')
		if logged {
			details := invxstore.DeletesDetails(n, docs)
			if _, err := tx.ExecContext(ctx, storetest.Rebind(backend, "INSERT INTO "+activity.Entry{}.TableName()+" (organization_id, id, created_at, user_id, action, details) VALUES (?, ?, ?, ?, ?, ?)"),
				orgID, store.NewObjectID(), time.Now().UTC(), userID, activity.InvxDeleteDocuments, string(details)); err != nil {
				return err
			}
			if err := tx.Commit(); err != nil {
				return err
			}
		}
		return write(buf)
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
	const path = "/invx/apis/:iridessa-version/orgs/:org-id/document/bulk"
	authenticated := func(echo.Context) bool { return true } // no authentication, as the other floors
	e.PATCH(path, handler, server.Validation(spec, http.MethodPatch, path, authenticated))
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return srv.URL + "/invx/apis/v1/orgs/" + orgID + "/document/bulk"
}

// appendRowJSON appends a row as a JSON object of its columns' texts (NULL as null).
func appendRowJSON[T ~[]byte](buf []byte, columns []string, values []T) ([]byte, error) {
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

// loggedPostgres is the logged floor on PostgreSQL: the statement and the activity entry in one
// transaction, pipelined as the service pipelines them (store.PipelinedTx), over pgx itself: BEGIN,
// tune and the UPDATE in one round trip, the entry and COMMIT in the next. The rows come back as text
// columns read raw, as the service reads them (store/invx: textColumns), so no value is converted.
// It returns the answer, the rows as a JSON array.
func loggedPostgres(ctx context.Context, plain *sql.DB, tune, orgID, userID string, ids, columns []string) ([]byte, error) {
	conn, err := plain.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { _ = conn.Close() }()
	answer := make([]byte, 0, 700*len(ids))
	err = conn.Raw(func(driverConn any) error {
		pc := driverConn.(*stdlib.Conn).Conn()
		q, args := rawInvxDelete(storetest.Postgres, orgID, userID, ids)
		q = strings.TrimSuffix(q, invxReturned) + invxReturnedAsText
		docs := make([]byte, 0, 100*len(ids)) // the activity entry's documents, sized as the service sizes them
		n := 0
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
			defer rows.Close()
			answer = append(answer, '[')
			for ; rows.Next(); n++ {
				values := rows.RawValues()
				if n > 0 {
					answer = append(answer, ',')
				}
				if answer, err = appendRowJSON(answer, columns, values); err != nil {
					return err
				}
				docs = invxstore.AppendDeletedDocument(docs, values[2], values[1], values[5])
			}
			answer = append(answer, ']')
			if err := rows.Err(); err != nil {
				return err
			}
			rows.Close()
			return results.Close()
		}()
		if err == nil {
			entry := &pgx.Batch{}
			entry.Queue("INSERT INTO "+activity.Entry{}.TableName()+" (organization_id, id, created_at, user_id, action, details) VALUES ($1, $2, $3, $4, $5, $6)",
				orgID, store.NewObjectID(), time.Now().UTC(), userID, activity.InvxDeleteDocuments, string(invxstore.DeletesDetails(n, docs)))
			entry.Queue("COMMIT")
			err = pc.SendBatch(ctx, entry).Close()
		}
		if err != nil && !pc.PgConn().IsClosed() {
			_, _ = pc.Exec(ctx, "ROLLBACK") // the connection goes back to the pool outside any transaction
		}
		return err
	})
	return answer, err
}

// invxReturned are the document's columns the API answers with.
const invxReturned = "organization_id, id, doc_number, doc_type, doc_date, seller_gstin, buyer_gstin, ird_doc_type, amount, " +
	"acceptance_comments, denial_comments, dispute_comments, status, created_by_user_id, created_on, " +
	"last_updated_by_user_id, last_updated, annotations"

// invxReturnedAsText are invxReturned as the service's PostgreSQL statement returns them: every
// one as text (store/invx: textColumns), whatever format the driver asks for.
const invxReturnedAsText = "organization_id, id, doc_number, doc_type, doc_date, seller_gstin, buyer_gstin, ird_doc_type, amount::text, " +
	"acceptance_comments, denial_comments, dispute_comments, status, created_by_user_id, created_on::text, " +
	"last_updated_by_user_id, last_updated::text, annotations"

// rawInvxDelete is the hand-written UPDATE of the same rows, reading them back. On SQLite it is
// UPDATE OR ROLLBACK, as the service's is (store/invx: statements.update): inside a transaction (the
// logged floor's) a plain UPDATE makes SQLite keep a statement journal of every page it changes,
// 0.6-1 ms of about 9 (an interleaved probe, 2026-12-01), and a floor is the least the work costs.
// In autocommit (raw, the unlogged floor) SQLite keeps none either way.
func rawInvxDelete(backend storetest.Backend, orgID, userID string, ids []string) (string, []any) {
	now := time.Now().UnixMilli()
	if backend == storetest.Postgres {
		return "UPDATE invx_documents SET status = '260', last_updated = $1, last_updated_by_user_id = $2 WHERE organization_id = $3 AND id = ANY($4) RETURNING " + invxReturned,
			[]any{now, userID, orgID, ids}
	}
	args := []any{now, userID, orgID}
	for _, id := range ids {
		args = append(args, id)
	}
	return "UPDATE OR ROLLBACK invx_documents SET status = '260', last_updated = ?, last_updated_by_user_id = ? WHERE organization_id = ? AND id IN (?" +
		strings.Repeat(",?", len(ids)-1) + ") RETURNING " + invxReturned, args
}
