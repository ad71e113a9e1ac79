-- One Ultrabiz cycle as the service sends it (captured with log_statement = all from the benchmark's
-- HTTP cycle): InsertPurchaseInvoice of a 5-line invoice, then DeletePurchaseInvoice of it with the
-- lines as the caller's view, each request preceded by the authentication's membership read. Values
-- the service binds are literals here except the tenant's (-D org, user, usernumber, vendor) and the
-- log entry's JSON (-D details: pgbench would read its colons as variables) and
-- the invoice id the counter hands out. Each client has its own bill number, as in the service run.
-- Statements the service sends together in one round trip (store.Batch: a pgx pipeline, carrying
-- store.PipelinedTx's BEGIN and COMMIT) are between \startpipeline and \endpipeline here, so both
-- make the same round trips: 4 for the insert and 3 for the delete, the membership read included.
-- Re-capture after changing the statements: run the HTTP benchmark once (go test -run '^$' -bench
-- InsertDeleteCycle/postgres/http -benchtime 1x ./server/ultrabiz/) with TEST_DATABASE_URL carrying
-- options=-c%20log_statement%3Dall and read the server log.
-- Each request's statements follow an "-- operation: <operationId>" line: the bench's bare HTTP floor
-- sends each half from its own handler.
-- Run by scripts/bench: pgbench -n -M prepared -c N -j N -T S -f scripts/bench/ultrabiz.sql -D ...

-- operation: InsertPurchaseInvoice
SELECT role FROM memberships WHERE organization_id = :org AND user_id = :user LIMIT 1;
\startpipeline
BEGIN;
SELECT 'vendor' AS kind, '' AS product_id, id, 0 AS multiplier FROM ultrabiz_vendors WHERE organization_id = :org AND id IN (:vendor)
UNION ALL
SELECT 'product', id, 0, 0 FROM ultrabiz_products WHERE organization_id = :org AND id IN ('sample string 2', 'P-0042')
UNION ALL
SELECT 'packing', product_id, id, multiplier FROM ultrabiz_packings WHERE organization_id = :org AND product_id IN ('sample string 2', 'P-0042');
\endpipeline
INSERT INTO ultrabiz_counters (organization_id, name, last_value) VALUES (:org, 'purchase_invoice', 1)
ON CONFLICT (organization_id, name) DO UPDATE SET last_value = ultrabiz_counters.last_value + excluded.last_value
RETURNING last_value AS id \gset
\startpipeline
INSERT INTO "ultrabiz_purchase_invoices" ("organization_id","id","is_pgp","is_open","is_rate_change","vendor_id","bill_no","bill_date","remarks","gross_amount","disc_amount","s_tax_amount","f_tax_amount","i_tax_amount","net_amount","paid_amount","is_posted","is_finalized","created_by","created_at","deleted_at","deleted_by")
VALUES (:org, :id, false, false, false, :vendor, 'PGB-' || :client_id::text, '2026-11-20 00:00:00+00', NULL, 0, 0, 0, 0, 0, 3587.2, 0, false, false, :usernumber, now(), NULL, NULL);
INSERT INTO "ultrabiz_purchase_lines" ("organization_id","invoice_id","line_no","product_id","packing_id","multiplier","qty_pack","qty_lose","bns_lose","price_pack","disc_ratio","disc_val_pack","disc_val_lose","offer_discount","s_tax_ratio","s_tax_val_pack","is_value_b4_ratio","is_s_tax_on_bns","is_f_tax_exempted","ttl_value","ttl_s_tax","ttl_f_tax","tti_tax","extra_s_tax_bns","extra_f_tax_bns","per_unit_cost_lose","is_free_product","customer_id","offer_id","is_offered","damage","bar_code","i_tax_per","than_qty","meters","size_id","is_open_product","color_id","net_val","units","deleted_at") VALUES
(:org, :id, 1, 'sample string 2', 3, 4, 5, 6, 7, 640, 0, 0, 0, 0, 18, 0, false, false, false, 0, 0, 0, 0, 0, 0, 0, false, NULL, 0, false, 0, NULL, 0, 0, 0, 35, false, 37, 717.44, 33, NULL),
(:org, :id, 2, 'sample string 2', 3, 4, 1, 0, 0, 640, 0, 0, 0, 0, 18, 0, false, false, false, 0, 0, 0, 0, 0, 0, 0, false, NULL, 0, false, 0, NULL, 0, 0, 0, 35, false, 37, 717.44, 4, NULL),
(:org, :id, 3, 'sample string 2', 3, 4, 2, 1, 0, 640, 0, 0, 0, 0, 18, 0, false, false, false, 0, 0, 0, 0, 0, 0, 0, false, NULL, 0, false, 0, NULL, 0, 0, 0, 36, false, 37, 717.44, 9, NULL),
(:org, :id, 4, 'P-0042', 1, 0.1, 10, 0, 0, 640, 0, 0, 0, 0, 18, 0, false, false, false, 0, 0, 0, 0, 0, 0, 0, false, NULL, 0, false, 0, NULL, 0, 0, 0, 0, false, 0, 717.44, 1, NULL),
(:org, :id, 5, 'P-0042', 1, 0.1, 3, 2, 1, 640, 0, 0, 0, 0, 18, 0, false, false, false, 0, 0, 0, 0, 0, 0, 0, false, NULL, 0, false, 0, NULL, 0, 0, 0, 0, false, 0, 717.44, 3.3, NULL);
INSERT INTO ultrabiz_stocks (organization_id, product_id, size_id, color_id, units)
SELECT organization_id, product_id, size_id, color_id, COALESCE(SUM(units), 0)
FROM ultrabiz_purchase_lines
WHERE organization_id = :org AND invoice_id BETWEEN :id AND :id
GROUP BY organization_id, product_id, size_id, color_id
ORDER BY product_id, size_id, color_id
ON CONFLICT (organization_id, product_id, size_id, color_id) DO UPDATE SET units = ((ultrabiz_stocks.units) + (excluded.units));
UPDATE ultrabiz_vendors SET balance = ((balance) + ((SELECT COALESCE(SUM(i.net_amount), 0) FROM ultrabiz_purchase_invoices i WHERE i.organization_id = :org AND i.vendor_id = ultrabiz_vendors.id AND i.id BETWEEN :id AND :id)))
WHERE organization_id = :org
  AND id IN (SELECT vendor_id FROM ultrabiz_purchase_invoices WHERE organization_id = :org AND id BETWEEN :id AND :id);
COMMIT;
\endpipeline

-- operation: DeletePurchaseInvoice
SELECT role FROM memberships WHERE organization_id = :org AND user_id = :user LIMIT 1;
\startpipeline
BEGIN;
UPDATE ultrabiz_purchase_invoices SET deleted_at = now(), deleted_by = :usernumber
WHERE organization_id = :org AND id = :id AND is_pgp = false AND deleted_at IS NULL
RETURNING id, is_pgp, vendor_id, bill_no, net_amount, paid_amount, is_finalized;
SELECT product_id, packing_id, multiplier, qty_pack, qty_lose, bns_lose, size_id, color_id, units
FROM ultrabiz_purchase_lines WHERE organization_id = :org AND invoice_id = :id AND deleted_at IS NULL ORDER BY line_no;
SELECT product_id, size_id, color_id, units FROM ultrabiz_stocks
WHERE organization_id = :org AND product_id IN (
  SELECT product_id FROM ultrabiz_purchase_lines WHERE organization_id = :org AND invoice_id = :id AND deleted_at IS NULL)
ORDER BY product_id, size_id, color_id FOR UPDATE;
SELECT id FROM users WHERE number = :usernumber;
\endpipeline
\startpipeline
UPDATE ultrabiz_stocks SET units = CASE WHEN SIGN((ultrabiz_stocks.units) - (taken.units)) >= 0
    THEN ((ultrabiz_stocks.units) - (taken.units)) END
FROM (SELECT product_id, size_id, color_id, COALESCE(SUM(units), 0) AS units
      FROM ultrabiz_purchase_lines
      WHERE organization_id = :org AND invoice_id = :id AND deleted_at IS NULL
      GROUP BY product_id, size_id, color_id) AS taken
WHERE ultrabiz_stocks.organization_id = :org AND ultrabiz_stocks.product_id = taken.product_id
  AND ultrabiz_stocks.size_id = taken.size_id AND ultrabiz_stocks.color_id = taken.color_id;
UPDATE ultrabiz_purchase_lines SET deleted_at = now() WHERE organization_id = :org AND invoice_id = :id AND deleted_at IS NULL;
UPDATE ultrabiz_vendors SET balance = ((balance) - (3587.2)) WHERE organization_id = :org AND id = :vendor;
INSERT INTO "ub_activity_logs" ("organization_id","id","created_at","user_id","action","details")
VALUES (:org, substr(md5(random()::text), 1, 24), now(), :user, 'ultrabiz.purchaseInvoice.delete',
        :details);
COMMIT;
\endpipeline
