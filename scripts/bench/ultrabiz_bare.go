package main

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"strconv"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/jackc/pgx/v5"
	"github.com/labstack/echo/v4"

	"github.com/deletesvc/deletesvc/openapi"
	"github.com/deletesvc/deletesvc/server"
)

// bareUltrabizServer is the bare HTTP floor of the Ultrabiz cycle: an Echo server with the service's
// two routes, taking the generated client's very requests (same bodies; the authentication header is
// ignored), decoding each body just enough for the values it binds (the bill number; the invoice id
// is in the query, the delete's lines are decoded and unused), and sending that request's half of
// the pgbench script over pgx (statements prepared once per connection, the script's pipelines as
// batches), with a minimal JSON answer. No validation, ORM, authentication, or transaction but the
// script's own: what any HTTP service sending these statements costs. With validate, each route first
// checks its request as the service does (server.Validation, the credentials taken as checked): the
// least a service that validates requests from the spec costs. Its connections (one per client)
// close with t's cleanup; it answers at the URL it returns.
func bareUltrabizServer(t tb, dbURL string, script []pgbenchStatement, vars map[string]any, clients int, validate bool) string {
	insert, del := scriptOf(t, script, "InsertPurchaseInvoice"), scriptOf(t, script, "DeletePurchaseInvoice")
	conns := make(chan *pgx.Conn, clients)
	for range clients {
		conn, err := pgx.Connect(context.Background(), dbURL)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = conn.Close(context.Background()) })
		conns <- conn
	}
	run := func(c echo.Context, statements []pgbenchStatement, mine map[string]any) error {
		conn := <-conns
		defer func() { conns <- conn }()
		return runScript(c.Request().Context(), conn, statements, mine)
	}
	const insertPath, deletePath = "/api/Purchase/InsertPurchaseInvoice", "/api/Purchase/DeletePurchaseInvoice"
	var insertChecks, deleteChecks []echo.MiddlewareFunc
	if validate {
		spec, err := openapi.Load("ultrabiz")
		if err != nil {
			t.Fatal(err)
		}
		checked := func(echo.Context) bool { return true }
		insertChecks = []echo.MiddlewareFunc{server.Validation(spec, http.MethodPost, insertPath, checked)}
		deleteChecks = []echo.MiddlewareFunc{server.Validation(spec, http.MethodDelete, deletePath, checked)}
	}
	e := echo.New()
	e.POST(insertPath, func(c echo.Context) error {
		var body struct {
			BillNo string `json:"BillNo"`
		}
		if err := jsonv2.UnmarshalRead(c.Request().Body, &body); err != nil {
			return err
		}
		// The script's bill number is 'PGB-' || :client_id: the body's one keeps clients apart.
		mine := maps.Clone(vars)
		mine["client_id"] = body.BillNo
		if err := run(c, insert, mine); err != nil {
			return err
		}
		return c.JSONBlob(http.StatusOK, fmt.Appendf(nil, `{"InvoiceId":%d,"Message":"ok"}`, mine["id"]))
	}, insertChecks...)
	e.DELETE(deletePath, func(c echo.Context) error {
		var lines []struct {
			ProductID string `json:"ProductId"`
		}
		if err := jsonv2.UnmarshalRead(c.Request().Body, &lines); err != nil {
			return err
		}
		id, err := strconv.ParseInt(c.QueryParam("invoiceId"), 10, 64)
		if err != nil {
			return echo.NewHTTPError(http.StatusBadRequest, err.Error())
		}
		mine := maps.Clone(vars)
		mine["id"] = id
		if err := run(c, del, mine); err != nil {
			return err
		}
		return c.JSONBlob(http.StatusOK, []byte(`{"Message":"ok"}`))
	}, deleteChecks...)
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return srv.URL
}

// scriptOf is the statements of one operation of the script.
func scriptOf(t tb, script []pgbenchStatement, operation string) []pgbenchStatement {
	var out []pgbenchStatement
	for _, st := range script {
		if st.operation == operation {
			out = append(out, st)
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s has no statements of %s", ultrabizScript, operation)
	}
	return out
}
