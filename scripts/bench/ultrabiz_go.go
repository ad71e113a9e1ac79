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
}

var pgbenchVar = regexp.MustCompile(`:([a-z_]+)`)

// readPgbenchScript reads a pgbench script into statements: comments dropped, one statement per
// ';' (or \\gset) at the end of a line, :name variables as parameters.
func readPgbenchScript(path string) ([]pgbenchStatement, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []pgbenchStatement
	var cur []string
	for _, line := range strings.Split(string(raw), "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "--") || trimmed == "" {
			continue
		}
		gset := strings.HasSuffix(trimmed, `\gset`)
		cur = append(cur, strings.TrimSuffix(trimmed, `\gset`))
		if !gset && !strings.HasSuffix(trimmed, ";") {
			continue
		}
		text := strings.TrimSuffix(strings.TrimSpace(strings.Join(cur, "\n")), ";")
		cur = nil
		st := pgbenchStatement{gset: gset}
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
				for _, st := range statements {
					args := make([]any, len(st.vars))
					for j, v := range st.vars {
						args[j] = mine[v]
					}
					var err error
					if st.gset {
						var id int64
						err = conn.QueryRow(ctx, st.sql, args...).Scan(&id)
						mine["id"] = id
					} else {
						var rows pgx.Rows
						if rows, err = conn.Query(ctx, st.sql, args...); err == nil {
							rows.Close()
							err = rows.Err()
						}
					}
					if err != nil {
						failed.Store(fmt.Errorf("%s: %w", st.sql, err))
						return
					}
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
