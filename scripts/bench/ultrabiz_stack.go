package main

import (
	"context"
	"fmt"
	"maps"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/deletesvc/deletesvc/gen/number"
	gen "github.com/deletesvc/deletesvc/gen/ultrabiz"
	"github.com/deletesvc/deletesvc/server"
	"github.com/deletesvc/deletesvc/server/api"
	"github.com/deletesvc/deletesvc/server/servertest"
	ultrabizh "github.com/deletesvc/deletesvc/server/ultrabiz"
	"github.com/deletesvc/deletesvc/store"
)

// scriptedUltrabizServer is the service's own server (every middleware: request ids, access log,
// metrics, body limit, authentication, the ASP.NET checks and binding, spec validation, the
// membership guard, the Idempotency-Key layer, the generated strict handler with its decoding and
// encoding) serving only the Ultrabiz family, whose two purchase-invoice handlers send the pgbench
// script's statements of their request over pgx instead of calling the store. The guard reads the
// membership, so the script's own read is left out. Against the service it prices the store (GORM,
// database/sql, the rules) apart from the request pipeline; against the validated bare server, the
// pipeline beyond spec validation. Its connections (one per client) close with t's cleanup.
func scriptedUltrabizServer(t tb, db *store.DB, dbURL string, script []pgbenchStatement, vars map[string]any, clients int) string {
	withoutMembership := func(statements []pgbenchStatement) []pgbenchStatement {
		var out []pgbenchStatement
		for _, st := range statements {
			if !strings.HasPrefix(st.sql, "SELECT role FROM memberships") {
				out = append(out, st)
			}
		}
		if len(out) != len(statements)-1 {
			t.Fatalf("%s: each request's statements should hold one membership read, found %d", ultrabizScript, len(statements)-len(out))
		}
		return out
	}
	h := &scriptedPurchases{vars: vars, conns: make(chan *pgx.Conn, clients),
		insert: withoutMembership(scriptOf(t, script, "InsertPurchaseInvoice")), del: withoutMembership(scriptOf(t, script, "DeletePurchaseInvoice"))}
	for range clients {
		conn, err := pgx.Connect(context.Background(), dbURL)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = conn.Close(context.Background()) })
		h.conns <- conn
	}
	family := func(d api.Deps) (api.Family, error) {
		f, err := ultrabizh.Family(d)
		f.Register = func(r api.Router) { gen.RegisterHandlers(r, gen.NewStrictHandler(h, ultrabizh.StrictMiddlewares())) }
		return f, err
	}
	env := servertest.StartWith(t, db, server.Config{Families: []func(api.Deps) (api.Family, error){family}})
	return env.URL
}

// scriptedPurchases answers the two requests of a cycle by running their statements of the script.
// The other operations are not served (the embedded interface is nil).
type scriptedPurchases struct {
	gen.StrictServerInterface
	vars        map[string]any
	insert, del []pgbenchStatement
	conns       chan *pgx.Conn
}

func (h *scriptedPurchases) run(ctx context.Context, statements []pgbenchStatement, vars map[string]any) error {
	conn := <-h.conns
	defer func() { h.conns <- conn }()
	return runScript(ctx, conn, statements, vars)
}

func (h *scriptedPurchases) InsertPurchaseInvoice(ctx context.Context, req gen.InsertPurchaseInvoiceRequestObject) (gen.InsertPurchaseInvoiceResponseObject, error) {
	// The script's bill number is 'PGB-' || :client_id: the body's one keeps clients apart.
	vars := maps.Clone(h.vars)
	vars["client_id"] = req.Body.BillNo
	if err := h.run(ctx, h.insert, vars); err != nil {
		return nil, err
	}
	id := vars["id"].(int64)
	return gen.InsertPurchaseInvoice200JSONResponse{Message: fmt.Sprintf("Purchase invoice %d saved.", id), InvoiceId: id}, nil
}

func (h *scriptedPurchases) DeletePurchaseInvoice(ctx context.Context, req gen.DeletePurchaseInvoiceRequestObject) (gen.DeletePurchaseInvoiceResponseObject, error) {
	vars := maps.Clone(h.vars)
	vars["id"] = req.Params.InvoiceId
	if err := h.run(ctx, h.del, vars); err != nil {
		return nil, err
	}
	// The script's delete reverses a constant amount: an invoice it missed shows in the run's
	// final check (live invoices, stock and the vendor's balance).
	return gen.DeletePurchaseInvoice200JSONResponse{Message: fmt.Sprintf("Purchase invoice %d deleted.", req.Params.InvoiceId),
		InvoiceId: req.Params.InvoiceId, LinesReversed: 5, UnitsReversed: number.MustParse("50.3")}, nil
}
