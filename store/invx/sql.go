package invx

// The family's set-based SQL: the one conditional UPDATE ... RETURNING that applies a batch of
// buyer actions, and the read of the states of the items it did not apply. GORM does the
// single-row reads and writes (document.go); everything that touches many rows at once is here.

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/deletesvc/deletesvc/store/internal/dialect"
)

// documentColumns are the columns the API shows: all but the stored request body, which a bulk
// response has no use for and would multiply the bytes read back. documentScanner reads them in this
// order.
const documentColumns = "organization_id, id, doc_number, doc_type, doc_date, seller_gstin, buyer_gstin, ird_doc_type, amount, " +
	"acceptance_comments, denial_comments, dispute_comments, status, created_by_user_id, created_on, " +
	"last_updated_by_user_id, last_updated, annotations"

// commentColumn is where each action keeps its comments; del keeps none.
var commentColumn = map[Action]string{
	Accept:  "acceptance_comments",
	Deny:    "denial_comments",
	Dispute: "dispute_comments",
}

// statements writes the family's SQL for one database. New chooses it once, so no statement
// asks which database it is on.
type statements struct {
	dialect dialect.Dialect
	// itemRows is the FROM item listing a batch's items as rows v(doc_id, act, note), and its
	// arguments.
	itemRows func(items []ActionItem) (string, []any)
	// lz4Supported, tune and tuneLZ4 are PostgreSQL's only: see Store.tuneLarge.
	lz4Supported, tune, tuneLZ4 string
}

func newStatements(d dialect.Dialect) statements {
	st := statements{dialect: d, itemRows: unnestItemRows,
		lz4Supported: "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'",
		tune:         "SELECT set_config('plan_cache_mode', 'force_custom_plan', true)",
		tuneLZ4:      "SELECT set_config('plan_cache_mode', 'force_custom_plan', true), set_config('default_toast_compression', 'lz4', true)"}
	if _, ok := d.(dialect.SQLite); ok {
		st.itemRows = valuesItemRows
		st.lz4Supported, st.tune, st.tuneLZ4 = "", "", ""
	}
	return st
}

// unnestItemRows binds the items as three text[] parameters, so the statement's text and binds do
// not grow with the items.
func unnestItemRows(items []ActionItem) (string, []any) {
	ids, acts, notes := make(dialect.TextArray, len(items)), make(dialect.TextArray, len(items)), make(dialect.NullTextArray, len(items))
	for i, it := range items {
		ids[i], acts[i], notes[i] = it.DocID, string(it.Action), it.Comments
	}
	return "unnest(?::text[], ?::text[], ?::text[]) AS v(doc_id, act, note)", []any{ids, acts, notes}
}

// valuesItemRows lists the items in a VALUES list: SQLite has no arrays.
func valuesItemRows(items []ActionItem) (string, []any) {
	args := make([]any, 0, 3*len(items))
	for _, it := range items {
		args = append(args, it.DocID, string(it.Action), it.Comments)
	}
	values := strings.TrimSuffix(strings.Repeat("(?, ?, ?),", len(items)), ",")
	return "(SELECT column1 AS doc_id, column2 AS act, column3 AS note FROM (VALUES " + values + ")) AS v", args
}

// apply is the one conditional UPDATE that applies every item of a batch: each row changes only
// if its current status allows its item's action, so concurrent batches apply each change once
// and the losers simply get no row back. Its size and work stay linear in the items. Items must
// have distinct docIds.
func (st statements) apply(orgID, userID string, items []ActionItem, now time.Time) (string, []any) {
	acts := actionsIn(items)
	if len(acts) == 1 && !anyComments(items) {
		return st.applyByIDs(orgID, userID, acts[0], items, now)
	}
	return st.applyByRows(orgID, userID, acts, items, now)
}

// applyByIDs is the common bulk delete: one action and no per-item values, so a plain id list
// lets both databases walk the primary key instead of joining a derived table.
func (st statements) applyByIDs(orgID, userID string, act Action, items []ActionItem, now time.Time) (string, []any) {
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = it.DocID
	}
	inIDs, idsArg := st.dialect.InList("invx_documents.id", ids)
	set := "status = ?"
	if col := commentColumn[act]; col != "" {
		set += ", " + col + " = NULL" // an answer sent without comments clears its column
	}
	q := "UPDATE invx_documents SET " + set + ", last_updated = ?, last_updated_by_user_id = ?\n" +
		"WHERE invx_documents.organization_id = ? AND " + inIDs + " AND invx_documents.status IN ?\n" +
		"RETURNING " + documentColumns
	return q, []any{transitions[act].to, now.UnixMilli(), userID, orgID, idsArg, allowedFrom(act)}
}

// applyByRows joins the items as rows v(doc_id, act, note) on the id: each row takes its item's
// action and comments.
func (st statements) applyByRows(orgID, userID string, acts []Action, items []ActionItem, now time.Time) (string, []any) {
	var set, allowed []string
	var setArgs, allowedArgs []any
	if len(acts) == 1 {
		set = append(set, "status = ?")
		setArgs = append(setArgs, transitions[acts[0]].to)
	} else {
		status := "status = CASE v.act"
		for _, a := range acts {
			status += " WHEN ? THEN ?"
			setArgs = append(setArgs, string(a), transitions[a].to)
		}
		set = append(set, status+" END")
	}
	for _, a := range acts {
		// An item without comments clears its action's column (note is NULL).
		if col := commentColumn[a]; col != "" {
			set = append(set, col+" = CASE WHEN v.act = ? THEN v.note ELSE "+col+" END")
			setArgs = append(setArgs, string(a))
		}
		allowed = append(allowed, "(v.act = ? AND invx_documents.status IN ?)")
		allowedArgs = append(allowedArgs, string(a), allowedFrom(a))
	}
	set = append(set, "last_updated = ?", "last_updated_by_user_id = ?")
	setArgs = append(setArgs, now.UnixMilli(), userID)
	rows, rowArgs := st.itemRows(items)
	q := "UPDATE invx_documents SET " + strings.Join(set, ", ") + "\n" +
		"FROM " + rows + "\n" +
		"WHERE invx_documents.organization_id = ? AND invx_documents.id = v.doc_id AND (" + strings.Join(allowed, " OR ") + ")\n" +
		"RETURNING " + documentColumns
	return q, slices.Concat(setArgs, rowArgs, []any{orgID}, allowedArgs)
}

// states reads the current states of documents of the organization: a missing id has no row.
func (st statements) states(orgID string, ids []string) (string, []any) {
	inIDs, idsArg := st.dialect.InList("id", ids)
	return "SELECT id, status FROM invx_documents WHERE organization_id = ? AND " + inIDs, []any{orgID, idsArg}
}

// actionsIn lists the actions the items use, in Actions order.
func actionsIn(items []ActionItem) []Action {
	var acts []Action
	for _, a := range Actions {
		if slices.ContainsFunc(items, func(it ActionItem) bool { return it.Action == a }) {
			acts = append(acts, a)
		}
	}
	return acts
}

func anyComments(items []ActionItem) bool {
	return slices.ContainsFunc(items, func(it ActionItem) bool { return it.Comments != nil })
}

// documentScanner reads rows of documentColumns without reflection. database/sql hands each
// column to its Scanner, whose type switch replaces convertAssign's reflective path (taken for
// int64, Status and *string destinations); the destinations are made once per statement, not per
// row, so a row costs only the driver's values and, when set, a nullable column's pointer.
type documentScanner struct {
	d           Document
	annotations string
	dest        []any
}

func newDocumentScanner() *documentScanner {
	s := &documentScanner{}
	d := &s.d
	s.dest = []any{
		textColumn{&d.OrganizationID}, textColumn{&d.ID}, textColumn{&d.DocNumber}, textColumn{&d.DocType},
		textColumn{&d.DocDate}, textColumn{&d.SellerGstin}, textColumn{&d.BuyerGstin}, textColumn{&d.IrdDocType},
		&d.Amount, nullTextColumn{&d.AcceptanceComments}, nullTextColumn{&d.DenialComments},
		nullTextColumn{&d.DisputeComments}, textColumn{(*string)(&d.Status)}, textColumn{&d.CreatedByUserID},
		intColumn{&d.CreatedOn}, nullTextColumn{&d.LastUpdatedByUserID}, intColumn{&d.LastUpdated},
		textColumn{&s.annotations},
	}
	return s
}

// scan reads the current row.
func (s *documentScanner) scan(rows *sql.Rows) (Document, error) {
	s.d = Document{}
	if err := rows.Scan(s.dest...); err != nil {
		return Document{}, err
	}
	d := s.d
	d.Annotations = []string{}
	if s.annotations != "[]" && s.annotations != "" {
		// Decoded beside d, not into it: taking d's address would move every row's copy to the heap.
		var annotations []string
		if err := json.Unmarshal([]byte(s.annotations), &annotations); err != nil {
			return Document{}, fmt.Errorf("annotations of document %s: %w", d.ID, err)
		}
		d.Annotations = annotations
	}
	return d, nil
}

// textColumn scans a NOT NULL text column.
type textColumn struct{ p *string }

func (c textColumn) Scan(src any) error {
	switch v := src.(type) {
	case string:
		*c.p = v
	case []byte:
		*c.p = string(v)
	default:
		return fmt.Errorf("text column: unexpected %T", src)
	}
	return nil
}

// nullTextColumn scans a nullable text column.
type nullTextColumn struct{ p **string }

func (c nullTextColumn) Scan(src any) error {
	if src == nil {
		*c.p = nil
		return nil
	}
	var s string
	if err := (textColumn{&s}).Scan(src); err != nil {
		return err
	}
	*c.p = &s
	return nil
}

// intColumn scans a NOT NULL integer column.
type intColumn struct{ p *int64 }

func (c intColumn) Scan(src any) error {
	switch v := src.(type) {
	case int64:
		*c.p = v
	case string:
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return fmt.Errorf("integer column: %w", err)
		}
		*c.p = n
	case []byte:
		return c.Scan(string(v))
	default:
		return fmt.Errorf("integer column: unexpected %T", src)
	}
	return nil
}
