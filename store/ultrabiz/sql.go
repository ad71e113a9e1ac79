package ultrabiz

import (
	"strings"
	"text/template"

	"github.com/deletesvc/deletesvc/store/internal/dialect"
)

// The family's set-based SQL, each statement a constant number of round trips however many rows it
// touches. Decimal arithmetic differs per database ({{add}}, {{sub}}, {{sum}}, {{cmp}} are the
// Dialect's DecAdd, DecSub, DecSum and DecCmp), so the text is rendered once per dialect when the
// Store is made. Arguments are named (@org, ...) and bound from a map.

// nextIDsSQL reserves @n ids of counter @name in one upsert, so concurrent callers get disjoint ranges.
const nextIDsSQL = `
INSERT INTO ultrabiz_counters (organization_id, name, last_value) VALUES (@org, @name, @n)
ON CONFLICT (organization_id, name) DO UPDATE SET last_value = ultrabiz_counters.last_value + excluded.last_value
RETURNING last_value`

// findRefsSQL finds, in one round trip, which of vendors @vendors and products @products exist and
// the products' packings: a row per vendor found (kind 'vendor', its id), per product found
// ('product', its id) and per packing ('packing', product, id and multiplier).
const findRefsSQL = `
SELECT 'vendor' AS kind, '' AS product_id, id, 0 AS multiplier FROM ultrabiz_vendors WHERE organization_id = @org AND id IN @vendors
UNION ALL
SELECT 'product', id, 0, 0 FROM ultrabiz_products WHERE organization_id = @org AND id IN @products
UNION ALL
SELECT 'packing', product_id, id, multiplier FROM ultrabiz_packings WHERE organization_id = @org AND product_id IN @products`

// markInvoiceDeletedSQL soft-deletes live invoice @id of book @pgp and returns what deleting it
// needs. The update is conditional, so that even without the lock exactly one delete can win.
const markInvoiceDeletedSQL = `
UPDATE ultrabiz_purchase_invoices SET deleted_at = @now, deleted_by = @by
WHERE organization_id = @org AND id = @id AND is_pgp = @pgp AND deleted_at IS NULL
RETURNING id, is_pgp, vendor_id, bill_no, net_amount, paid_amount, is_finalized`

// liveLinesSQL reads the live lines of invoice @doc, the columns a delete decides and reverses with.
const liveLinesSQL = `
SELECT product_id, packing_id, multiplier, qty_pack, qty_lose, bns_lose, size_id, color_id, units
FROM ultrabiz_purchase_lines WHERE organization_id = @org AND invoice_id = @doc AND deleted_at IS NULL ORDER BY line_no`

// lockInvoiceStockSQL locks the stock rows of the products on the live lines of invoice @doc, in key
// order (as an insert writes them, so the two cannot deadlock), and reads what they hold.
const lockInvoiceStockSQL = `
SELECT product_id, size_id, color_id, units FROM ultrabiz_stocks
WHERE organization_id = @org AND product_id IN (
  SELECT product_id FROM ultrabiz_purchase_lines WHERE organization_id = @org AND invoice_id = @doc AND deleted_at IS NULL)
ORDER BY product_id, size_id, color_id {{forUpdate}}`

// markLinesDeletedSQL soft-deletes the live lines of invoice @doc.
const markLinesDeletedSQL = `
UPDATE ultrabiz_purchase_lines SET deleted_at = @now WHERE organization_id = @org AND invoice_id = @doc AND deleted_at IS NULL`

// takeStockSQL removes @units from one stock row; the condition refuses to go below zero.
const takeStockSQL = `
UPDATE ultrabiz_stocks SET units = {{sub "units" "@units"}}
WHERE organization_id = @org AND product_id = @product AND size_id = @size AND color_id = @color
  AND {{cmp "units" "@units"}} >= 0`

// addStockSQL adds the lines of invoices @first..@last to stock. Stock rows are created on first
// receipt and never removed, so a delete always finds its rows; they are written (and locked) in
// key order, as a delete locks them, so the two cannot deadlock.
const addStockSQL = `
INSERT INTO ultrabiz_stocks (organization_id, product_id, size_id, color_id, units)
SELECT organization_id, product_id, size_id, color_id, {{sum "units"}}
FROM ultrabiz_purchase_lines
WHERE organization_id = @org AND invoice_id BETWEEN @first AND @last
GROUP BY organization_id, product_id, size_id, color_id
ORDER BY product_id, size_id, color_id
ON CONFLICT (organization_id, product_id, size_id, color_id) DO UPDATE SET units = {{add "ultrabiz_stocks.units" "excluded.units"}}`

// addVendorBalancesSQL adds the totals of invoices @first..@last to their vendors' balances. The
// subquery binds @org rather than correlating on the vendor's organization_id: only a bound value
// lets Citus route the statement to one shard.
const addVendorBalancesSQL = `
UPDATE ultrabiz_vendors SET balance = {{add "balance" (print "(SELECT " (sum "i.net_amount") " FROM ultrabiz_purchase_invoices i WHERE i.organization_id = @org AND i.vendor_id = ultrabiz_vendors.id AND i.id BETWEEN @first AND @last)")}}
WHERE organization_id = @org
  AND id IN (SELECT vendor_id FROM ultrabiz_purchase_invoices WHERE organization_id = @org AND id BETWEEN @first AND @last)`

// subtractVendorBalanceSQL takes a deleted invoice's total @amount off its vendor's balance.
const subtractVendorBalanceSQL = `
UPDATE ultrabiz_vendors SET balance = {{sub "balance" "@amount"}}
WHERE organization_id = @org AND id = @vendor`

// takeBackStockSQL removes the live lines of invoice @doc from stock, one row per stock key. A row
// holding too little would be set to NULL, which units' NOT NULL refuses: the statement fails, and
// the transaction with it, even when its COMMIT was already sent in the same round trip (RunLast).
const takeBackStockSQL = `
UPDATE ultrabiz_stocks SET units = CASE WHEN {{cmp "ultrabiz_stocks.units" "taken.units"}} >= 0
    THEN {{sub "ultrabiz_stocks.units" "taken.units"}} END
FROM (SELECT product_id, size_id, color_id, {{sum "units"}} AS units
      FROM ultrabiz_purchase_lines
      WHERE organization_id = @org AND invoice_id = @doc AND deleted_at IS NULL
      GROUP BY product_id, size_id, color_id) AS taken
WHERE ultrabiz_stocks.organization_id = @org AND ultrabiz_stocks.product_id = taken.product_id
  AND ultrabiz_stocks.size_id = taken.size_id AND ultrabiz_stocks.color_id = taken.color_id`

// takeReturnStockSQL removes the lines of return @doc from stock, one row per stock key; a row
// that holds too little is left alone (and counted as missing by the caller, takeStock).
const takeReturnStockSQL = `
UPDATE ultrabiz_stocks SET units = {{sub "ultrabiz_stocks.units" "taken.units"}}
FROM (SELECT product_id, size_id, color_id, {{sum "units"}} AS units
      FROM ultrabiz_purchase_return_lines
      WHERE organization_id = @org AND return_id = @doc AND deleted_at IS NULL
      GROUP BY product_id, size_id, color_id) AS taken
WHERE ultrabiz_stocks.organization_id = @org AND ultrabiz_stocks.product_id = taken.product_id
  AND ultrabiz_stocks.size_id = taken.size_id AND ultrabiz_stocks.color_id = taken.color_id
  AND {{cmp "ultrabiz_stocks.units" "taken.units"}} >= 0`

// putBackReturnStockSQL adds the live lines of a deleted return @doc back to stock, in key order as
// every stock write is ordered, so it cannot deadlock with inserts and deletes sharing products.
const putBackReturnStockSQL = `
INSERT INTO ultrabiz_stocks (organization_id, product_id, size_id, color_id, units)
SELECT organization_id, product_id, size_id, color_id, {{sum "units"}}
FROM ultrabiz_purchase_return_lines
WHERE organization_id = @org AND return_id = @doc AND deleted_at IS NULL
GROUP BY organization_id, product_id, size_id, color_id
ORDER BY product_id, size_id, color_id
ON CONFLICT (organization_id, product_id, size_id, color_id) DO UPDATE SET units = {{add "ultrabiz_stocks.units" "excluded.units"}}`

// addVendorBalanceSQL puts a deleted return's total @amount back on its vendor's balance.
const addVendorBalanceSQL = `
UPDATE ultrabiz_vendors SET balance = {{add "balance" "@amount"}}
WHERE organization_id = @org AND id = @vendor`

// statements are the family's SQL rendered for one dialect.
type statements struct {
	findRefs, markInvoiceDeleted, liveLines, lockInvoiceStock, markLinesDeleted, nextIDs, takeStock, addStock, addVendorBalances, subtractVendorBalance, takeBackStock string
	takeReturnStock, putBackReturnStock, addVendorBalance                                                                                                              string
}

func newStatements(d dialect.Dialect) statements {
	funcs := template.FuncMap{"add": d.DecAdd, "sub": d.DecSub, "sum": d.DecSum, "cmp": d.DecCmp,
		// SQLite has no row locks: its transactions take the write lock at BEGIN.
		"forUpdate": func() string {
			if d.Name() == "postgres" {
				return "FOR UPDATE"
			}
			return ""
		}}
	render := func(text string) string {
		var b strings.Builder
		// The texts are constants of this file: a template error is a bug that every test shows.
		if err := template.Must(template.New("").Funcs(funcs).Parse(text)).Execute(&b, nil); err != nil {
			panic(err)
		}
		return strings.TrimSpace(b.String())
	}
	return statements{
		findRefs:              render(findRefsSQL),
		markInvoiceDeleted:    render(markInvoiceDeletedSQL),
		liveLines:             render(liveLinesSQL),
		lockInvoiceStock:      render(lockInvoiceStockSQL),
		markLinesDeleted:      render(markLinesDeletedSQL),
		nextIDs:               render(nextIDsSQL),
		takeStock:             render(takeStockSQL),
		addStock:              render(addStockSQL),
		addVendorBalances:     render(addVendorBalancesSQL),
		subtractVendorBalance: render(subtractVendorBalanceSQL),
		takeBackStock:         render(takeBackStockSQL),
		takeReturnStock:       render(takeReturnStockSQL),
		putBackReturnStock:    render(putBackReturnStockSQL),
		addVendorBalance:      render(addVendorBalanceSQL),
	}
}
