package main

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// pgbenchStatement is one statement of the pgbench script, with its pgbench variables turned into
// pgx's $n parameters.
type pgbenchStatement struct {
	sql  string
	vars []string // the variable of each $n
	gset bool     // the statement's one column goes into variable "id" (\gset)
	// pipelined: sent with the statements after it up to the one ending the pipeline
	// (\startpipeline ... \endpipeline), which has end set.
	pipelined, end bool
	operation      string // the request that sends it: the last "-- operation: <operationId>" line before it
}

var pgbenchVar = regexp.MustCompile(`:([a-z_]+)`)

// readPgbenchScript reads a pgbench script into statements: comments dropped (but "-- operation:
// <name>", which names the request of the statements after it), one statement per ';' (or \\gset)
// at the end of a line, :name variables as parameters, \\startpipeline and \\endpipeline marking
// statements sent together.
func readPgbenchScript(path string) ([]pgbenchStatement, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []pgbenchStatement
	var cur []string
	pipeline := false
	operation := ""
	for _, line := range strings.Split(string(raw), "\n") {
		trimmed := strings.TrimSpace(line)
		if name, ok := strings.CutPrefix(trimmed, "-- operation:"); ok {
			operation = strings.TrimSpace(name)
			continue
		}
		if strings.HasPrefix(trimmed, "--") || trimmed == "" {
			continue
		}
		switch trimmed {
		case `\startpipeline`:
			pipeline = true
			continue
		case `\endpipeline`:
			pipeline = false
			if len(out) > 0 {
				out[len(out)-1].end = true
			}
			continue
		}
		gset := strings.HasSuffix(trimmed, `\gset`)
		cur = append(cur, strings.TrimSuffix(trimmed, `\gset`))
		if !gset && !strings.HasSuffix(trimmed, ";") {
			continue
		}
		text := strings.TrimSuffix(strings.TrimSpace(strings.Join(cur, "\n")), ";")
		cur = nil
		st := pgbenchStatement{gset: gset, pipelined: pipeline, operation: operation}
		// "::type" casts are not variables.
		text = strings.ReplaceAll(text, "::", "\x00")
		st.sql = pgbenchVar.ReplaceAllStringFunc(text, func(m string) string {
			st.vars = append(st.vars, m[1:])
			return "$" + strconv.Itoa(len(st.vars))
		})
		st.sql = strings.ReplaceAll(st.sql, "\x00", "::")
		out = append(out, st)
	}
	return out, nil
}

// goClientCycles runs the pgbench script's statements from Go over pgx (one connection per client,
// statements prepared once per connection, as pgbench -M prepared) for d, and returns cycles per
// second: what a Go program pays for the same database work, with no HTTP, validation or ORM.
func goClientCycles(ctx context.Context, dbURL string, statements []pgbenchStatement, vars map[string]any, clients int, d time.Duration) (float64, error) {
	conns := make([]*pgx.Conn, clients)
	for i := range conns {
		conn, err := pgx.Connect(ctx, dbURL)
		if err != nil {
			return 0, err
		}
		defer conn.Close(context.Background())
		conns[i] = conn
	}
	var n atomic.Int64
	var failed atomic.Value
	var wg sync.WaitGroup
	deadline := time.Now().Add(d)
	start := time.Now()
	for i, conn := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine := map[string]any{"client_id": strconv.Itoa(i)}
			for k, v := range vars {
				mine[k] = v
			}
			for time.Now().Before(deadline) {
				if err := runScript(ctx, conn, statements, mine); err != nil {
					failed.Store(err)
					return
				}
				n.Add(1)
			}
		}()
	}
	wg.Wait()
	if err, _ := failed.Load().(error); err != nil {
		return 0, err
	}
	return float64(n.Load()) / time.Since(start).Seconds(), nil
}

// runScript sends statements in order, each alone or, between \\startpipeline and \\endpipeline,
// together in one round trip, as pgbench does.
func runScript(ctx context.Context, conn *pgx.Conn, statements []pgbenchStatement, vars map[string]any) error {
	var batch []pgbenchStatement
	for _, st := range statements {
		if st.pipelined {
			batch = append(batch, st)
			if !st.end {
				continue
			}
		} else {
			batch = []pgbenchStatement{st}
		}
		if err := runStatements(ctx, conn, batch, vars); err != nil {
			return err
		}
		batch = nil
	}
	return nil
}

// runStatements sends statements in one round trip (a pgx batch when there are several) and reads
// their answers; a \\gset statement's value goes into vars["id"].
func runStatements(ctx context.Context, conn *pgx.Conn, statements []pgbenchStatement, vars map[string]any) error {
	args := func(st pgbenchStatement) []any {
		out := make([]any, len(st.vars))
		for j, v := range st.vars {
			out[j] = vars[v]
		}
		return out
	}
	if len(statements) == 1 {
		st := statements[0]
		if st.gset {
			var id int64
			if err := conn.QueryRow(ctx, st.sql, args(st)...).Scan(&id); err != nil {
				return fmt.Errorf("%s: %w", st.sql, err)
			}
			vars["id"] = id
			return nil
		}
		rows, err := conn.Query(ctx, st.sql, args(st)...)
		if err == nil {
			rows.Close()
			err = rows.Err()
		}
		if err != nil {
			return fmt.Errorf("%s: %w", st.sql, err)
		}
		return nil
	}
	b := &pgx.Batch{}
	for _, st := range statements {
		b.Queue(st.sql, args(st)...)
	}
	br := conn.SendBatch(ctx, b)
	for _, st := range statements {
		rows, err := br.Query()
		if err == nil {
			for rows.Next() {
				if st.gset {
					var id int64
					if err := rows.Scan(&id); err != nil {
						rows.Close()
						_ = br.Close()
						return err
					}
					vars["id"] = id
				}
			}
			rows.Close()
			err = rows.Err()
		}
		if err != nil {
			_ = br.Close()
			return fmt.Errorf("%s: %w", st.sql, err)
		}
	}
	return br.Close()
}
