package invx

// The family's set-based SQL: the one conditional UPDATE ... RETURNING that applies a batch of
// buyer actions, and the read of the states of the items it did not apply. GORM does the
// single-row reads and writes (document.go); everything that touches many rows at once is here.

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/internal/dialect"
)

// documentColumns are the columns the API shows: all but the stored request body, which a bulk
// response has no use for and would multiply the bytes read back. documentScanner reads them in this
// order.
var documentColumns = [...]string{"organization_id", "id", "doc_number", "doc_type", "doc_date", "seller_gstin",
	"buyer_gstin", "ird_doc_type", "amount", "acceptance_comments", "denial_comments", "dispute_comments", "status",
	"created_by_user_id", "created_on", "last_updated_by_user_id", "last_updated", "annotations"}

// A bulk UPDATE returns each document's texts without the drivers converting and boxing every
// column of every row into an interface (two allocations each: for 1000 documents of 18 columns
// that was 3 ms of CPU on PostgreSQL and most of a request's allocations): on PostgreSQL as text
// columns read raw (TextColumns), on SQLite as the id and one text which split cuts
// (SeparatedTexts). Either way a row costs one string, sliced (and SQLite's id one more).

// rowFormat is how a statement returns documents: as documentColumns' texts where split is nil,
// else as one text that split cuts, after the id in a column of its own where idColumn.
type rowFormat struct {
	split    func(row string, t *documentTexts) error
	idColumn bool
}

// documentTexts are a row's texts in documentColumns order; null marks the NULLs.
type documentTexts struct {
	text [len(documentColumns)]string
	null [len(documentColumns)]bool
}

// TextColumns are documentColumns as PostgreSQL's bulk UPDATE returns them: every one as text
// (amount and the two times cast), so that a row's raw values are its texts whichever format the
// driver asked for; documentScanner reads them without the driver converting them. PostgreSQL's
// text of a record of them cost it 1 ms more CPU per 1000 rows (a SELECT of 1000 documents: 9.1-9.9
// ms as records, 8.2-8.8 as these, 8.0-8.7 as the plain columns).
func TextColumns() string {
	cols := make([]string, len(documentColumns))
	for i, c := range documentColumns {
		cols[i] = c
		if c == "amount" || c == "created_on" || c == "last_updated" {
			cols[i] = c + "::text"
		}
	}
	return strings.Join(cols, ", ")
}

// lengthsAndTexts is a SQLite row that cannot be ambiguous (reread's, for the rows SeparatedTexts
// could not tell apart; SQLite has no record type): the byte lengths of the texts,
// comma-separated ("-" for NULL), a semicolon, then the texts one after the other. concat makes
// one string (|| copied the row so far for every piece).
func lengthsAndTexts() string {
	lengths := make([]string, len(documentColumns))
	for i, c := range documentColumns {
		lengths[i] = "coalesce(octet_length(" + c + "), '-')" // SQLite's measures any value's text
	}
	return "concat(" + strings.Join(lengths, ", ',', ") + ", ';', " + strings.Join(documentColumns[:], ", ") + ")"
}

// SeparatedTexts is SQLite's row of a bulk UPDATE: the id in a column of its own, then the other
// columns joined by the unit separator (U+001F) in one text, a nullable column as "-" for NULL or
// "+" and its text. A text holding the separator itself makes the row ambiguous: SplitSeparated
// tells, by the count of separators, and the row is read again as lengthsAndTexts (reread), by its
// id. The text is joined with || and no function: a function in an UPDATE's RETURNING makes SQLite
// keep a statement journal inside a transaction whatever the conflict clause (see
// statements.update), which cost 0.5-1 ms of a 1000-document delete; concat_ws with the id's
// octet_length did (issue 13).
func SeparatedTexts() string {
	var fields []string
	for i, c := range documentColumns {
		switch {
		case i == 1: // id, a column of its own
		case nullableColumn[i]:
			fields = append(fields, "coalesce('+' || "+c+", '-')") // coalesce is inlined, not called
		default:
			fields = append(fields, c)
		}
	}
	return "id, " + strings.Join(fields, " || '\x1f' || ")
}

// nullableColumn marks the documentColumns that may hold NULL; the others are NOT NULL (organization_id
// and id, the primary key, are never NULL in a row that matched them).
var nullableColumn = [len(documentColumns)]bool{9: true, 10: true, 11: true, 15: true}

// ambiguousRow is a SeparatedTexts row one of whose texts holds the separator.
type ambiguousRow struct{ id string }

func (e *ambiguousRow) Error() string { return "document " + e.id + ": a text holds the separator" }

// ReturnedColumns are the names of the columns a bulk UPDATE returns, in the order TextColumns
// returns them and SplitSeparated cuts them.
func ReturnedColumns() []string { return slices.Clone(documentColumns[:]) }

// SplitSeparated cuts a SeparatedTexts row, its id and its joined text, into text, the texts of
// ReturnedColumns (slices of id and joined), with null marking the NULLs (whose text it leaves
// zero), or returns an *ambiguousRow. text and null hold len(ReturnedColumns()) each. It reads
// the service's strings and the benchmark's bytes alike (scripts/bench reads rows as the service
// does), without a copy.
func SplitSeparated[T string | []byte](id, joined T, text []T, null []bool) error {
	// No text is cut short: a separator more than the columns' means a text holds one.
	switch n := countSeparators(joined); {
	case n < len(documentColumns)-2:
		return errors.New("too few values")
	case n > len(documentColumns)-2:
		return &ambiguousRow{id: string(id)}
	}
	rest := joined
	for i := range documentColumns {
		if i == 1 {
			text[i], null[i] = id, false
			continue
		}
		var field T
		if at := indexSeparator(rest); at >= 0 {
			field, rest = rest[:at], rest[at+1:]
		} else {
			field, rest = rest, rest[len(rest):]
		}
		var zero T
		text[i], null[i] = zero, false
		if nullableColumn[i] {
			switch {
			case len(field) == 1 && field[0] == '-':
				null[i] = true
				continue
			case len(field) > 0 && field[0] == '+':
				field = field[1:]
			default:
				return fmt.Errorf("nullable field %q", field)
			}
		}
		text[i] = field
	}
	return nil
}

// countSeparators and indexSeparator are strings' and bytes' own (vectorised) Count and IndexByte
// of the separator, whichever a row is; the type switch costs no allocation.
func countSeparators[T string | []byte](s T) int {
	switch s := any(s).(type) {
	case string:
		return strings.Count(s, "\x1f")
	case []byte:
		return bytes.Count(s, []byte{0x1f})
	}
	panic("unreachable")
}

func indexSeparator[T string | []byte](s T) int {
	switch s := any(s).(type) {
	case string:
		return strings.IndexByte(s, 0x1f)
	case []byte:
		return bytes.IndexByte(s, 0x1f)
	}
	panic("unreachable")
}

// splitSeparated is SplitSeparated into t, whose id the scanner has set: the service's rowFormat.
func splitSeparated(row string, t *documentTexts) error {
	return SplitSeparated(t.text[1], row, t.text[:], t.null[:])
}

// splitLengths cuts a lengthsAndTexts row.
func splitLengths(row string, t *documentTexts) error {
	header, data, ok := strings.Cut(row, ";")
	if !ok {
		return errors.New("no end of lengths")
	}
	for i := range t.text {
		field := header
		if i < len(t.text)-1 {
			if field, header, ok = strings.Cut(header, ","); !ok {
				return errors.New("too few lengths")
			}
		}
		if field == "-" {
			t.null[i] = true
			continue
		}
		n, err := strconv.Atoi(field)
		if err != nil || n < 0 || n > len(data) {
			return fmt.Errorf("length %q", field)
		}
		t.text[i], data = data[:n], data[n:]
	}
	if data != "" {
		return errors.New("text beyond the lengths")
	}
	return nil
}

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
	// update begins the bulk UPDATE. On SQLite it is UPDATE OR ROLLBACK: inside a transaction a
	// multi-row UPDATE that a constraint could stop keeps a statement journal, the old content of
	// every page it changes spilled to a temporary file, so that it can undo itself alone; OR
	// ROLLBACK lets a violation end the whole transaction instead (inside an Idempotent request the
	// request's, savepoints included), so SQLite keeps none. None can occur: of the columns the
	// UPDATE sets only status and last_updated are constrained (NOT NULL), and both are never NULL
	// (a bound value, or a CASE that keeps the status it does not change). Its RETURNING must call
	// no function for this to hold (SeparatedTexts).
	update string
	// itemRows is the FROM item listing a batch's items as rows v(doc_id, act, note), and its
	// arguments.
	itemRows func(items []ActionItem) (string, []any)
	// readBack makes a bulk UPDATE return each changed document, in the rows' format.
	readBack func(update string) string
	rows     rowFormat
	// reread reads documents again as lengthsAndTexts rows, for the rows split found ambiguous
	// (SQLite's only: PostgreSQL's are never).
	reread func(orgID string, ids []string) (string, []any)
	// tunesLarge is PostgreSQL's only: see Store.tuneLarge.
	tunesLarge bool
}

func newStatements(d dialect.Dialect) statements {
	st := statements{dialect: d, update: "UPDATE", itemRows: unnestItemRows,
		readBack:   func(update string) string { return update + "\nRETURNING " + TextColumns() },
		tunesLarge: true}
	if _, ok := d.(dialect.SQLite); ok {
		st.update = "UPDATE OR ROLLBACK"
		st.itemRows = valuesItemRows
		st.readBack = func(update string) string { return update + "\nRETURNING " + SeparatedTexts() }
		st.rows = rowFormat{split: splitSeparated, idColumn: true}
		st.reread = func(orgID string, ids []string) (string, []any) {
			inIDs, idsArg := d.InList("id", ids)
			return "SELECT " + lengthsAndTexts() + " FROM invx_documents WHERE organization_id = ? AND " + inIDs, []any{orgID, idsArg}
		}
		st.tunesLarge = false
	}
	return st
}

// LZ4Supported asks PostgreSQL whether it can compress values with lz4.
const LZ4Supported = "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"

// LargeBatchTuning is the statement that tunes a large batch's transaction on PostgreSQL
// (Store.tuneLarge), with lz4 where the server has it (LZ4Supported). Exported for the benchmark's
// floors, which must pay for it as the service does.
func LargeBatchTuning(lz4 bool) string {
	const plans = "SELECT set_config('plan_cache_mode', 'force_custom_plan', true)"
	if lz4 {
		return plans + ", set_config('default_toast_compression', 'lz4', true)"
	}
	return plans
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
	acts := usedActions(items)
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
	q := st.update + " invx_documents SET " + set + ", last_updated = ?, last_updated_by_user_id = ?\n" +
		"WHERE invx_documents.organization_id = ? AND " + inIDs + " AND invx_documents.status IN ?"
	return st.readBack(q), []any{transitions[act].to, now.UnixMilli(), userID, orgID, idsArg, allowedFrom(act)}
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
		// A searched CASE: Citus deparses CASE v.act WHEN ? inside the read-back's WITH into a
		// comparison of text with boolean.
		status := "status = CASE"
		for _, a := range acts {
			status += " WHEN v.act = ? THEN ?"
			setArgs = append(setArgs, string(a), transitions[a].to)
		}
		set = append(set, status+" ELSE status END")
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
	q := st.update + " invx_documents SET " + strings.Join(set, ", ") + "\n" +
		"FROM " + rows + "\n" +
		"WHERE invx_documents.organization_id = ? AND invx_documents.id = v.doc_id AND (" + strings.Join(allowed, " OR ") + ")"
	return st.readBack(q), slices.Concat(setArgs, rowArgs, []any{orgID}, allowedArgs)
}

// states reads the current states of documents of the organization: a missing id has no row.
func (st statements) states(orgID string, ids []string) (string, []any) {
	inIDs, idsArg := st.dialect.InList("id", ids)
	return "SELECT id, status FROM invx_documents WHERE organization_id = ? AND " + inIDs, []any{orgID, idsArg}
}

// usedActions lists the actions the items use, in Actions order.
func usedActions(items []ActionItem) []Action {
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

// documentScanner reads the rows of a bulk UPDATE. Every text of a row is a slice of the row's one
// string (on SQLite but its id, a string of its own); the nullable columns' pointers share chunks
// (stringSlab).
type documentScanner struct {
	format rowFormat
	id     string
	row    string
	dest   []any         // made once: Rows.Scan's variadic slice escapes, one allocation per call
	texts  documentTexts // here, not per row: split's pointer would move each row's to the heap
	// strings are the targets of the rows' nullable columns' pointers.
	strings stringSlab
	buf     []byte                               // a row's raw texts, joined
	columns [len(documentColumns)]sql.NullString // the texts, from rows without raw values
}

// rawValuer is pgx's rows: RawValues are the current row's values as sent, nil for NULL, valid
// until the next row.
type rawValuer interface{ RawValues() [][]byte }

// scan reads the current row.
func (s *documentScanner) scan(rows store.Rows) (Document, error) {
	s.texts = documentTexts{}
	if s.format.split == nil {
		if err := s.scanTexts(rows); err != nil {
			return Document{}, err
		}
		return s.texts.document(&s.strings)
	}
	if s.dest == nil {
		s.dest = []any{&s.row}
		if s.format.idColumn {
			s.dest = []any{&s.id, &s.row}
		}
	}
	if err := rows.Scan(s.dest...); err != nil {
		return Document{}, err
	}
	if s.format.idColumn {
		s.texts.text[1] = s.id
	}
	if err := s.format.split(s.row, &s.texts); err != nil {
		return Document{}, fmt.Errorf("bulk update row %.80q (document %q): %w", s.row, s.texts.text[1], err)
	}
	return s.texts.document(&s.strings)
}

// scanTexts reads a row of documentColumns' texts: from pgx's raw values, copied once into one
// string, or else (database/sql's rows) scanned column by column.
func (s *documentScanner) scanTexts(rows store.Rows) error {
	rv, ok := rows.(rawValuer)
	if !ok {
		if s.dest == nil {
			s.dest = make([]any, len(s.columns))
			for i := range s.columns {
				s.dest[i] = &s.columns[i]
			}
		}
		if err := rows.Scan(s.dest...); err != nil {
			return err
		}
		for i, c := range s.columns {
			s.texts.text[i], s.texts.null[i] = c.String, !c.Valid
		}
		return nil
	}
	values := rv.RawValues()
	if len(values) != len(documentColumns) {
		return fmt.Errorf("bulk update row of %d values, want %d", len(values), len(documentColumns))
	}
	s.buf = s.buf[:0]
	for _, v := range values {
		s.buf = append(s.buf, v...)
	}
	row, at := string(s.buf), 0
	for i, v := range values {
		if v == nil {
			s.texts.null[i] = true
			continue
		}
		s.texts.text[i], at = row[at:at+len(v)], at+len(v)
	}
	return nil
}

// stringSlab holds the strings a nullable column's pointer points to, in chunks: one allocation per
// chunk instead of one per row. A chunk is never appended to past its capacity, so no pointer into
// it moves.
type stringSlab []string

func (s *stringSlab) ptr(v string) *string {
	if len(*s) == cap(*s) {
		*s = make([]string, 0, 256)
	}
	*s = append(*s, v)
	return &(*s)[len(*s)-1]
}

// document is the Document of the texts; its nullable columns point into slab.
func (t *documentTexts) document(slab *stringSlab) (Document, error) {
	texts, null := &t.text, &t.null
	nullable := func(i int) *string {
		if null[i] {
			return nil
		}
		return slab.ptr(texts[i])
	}
	d := Document{
		OrganizationID: texts[0], ID: texts[1], DocNumber: texts[2], DocType: texts[3], DocDate: texts[4],
		SellerGstin: texts[5], BuyerGstin: texts[6], IrdDocType: texts[7],
		AcceptanceComments: nullable(9), DenialComments: nullable(10), DisputeComments: nullable(11),
		Status: Status(texts[12]), CreatedByUserID: texts[13], LastUpdatedByUserID: nullable(15),
		Annotations: []string{},
	}
	var err error
	// Parsed, not Scan: Scan would box the text in an interface first, an allocation per row (a
	// numeric's text, as both databases return it, is never quoted, which is all Scan adds).
	if d.Amount.Decimal, err = decimal.NewFromString(texts[8]); err != nil {
		return Document{}, fmt.Errorf("amount: %w", err)
	}
	if d.CreatedOn, err = strconv.ParseInt(texts[14], 10, 64); err != nil {
		return Document{}, fmt.Errorf("created_on: %w", err)
	}
	if d.LastUpdated, err = strconv.ParseInt(texts[16], 10, 64); err != nil {
		return Document{}, fmt.Errorf("last_updated: %w", err)
	}
	if a := texts[17]; a != "[]" && a != "" {
		// Decoded beside d, not into it: taking d's address would move every row's copy to the heap.
		var annotations []string
		if err := json.Unmarshal([]byte(a), &annotations); err != nil {
			return Document{}, fmt.Errorf("annotations of document %s: %w", d.ID, err)
		}
		d.Annotations = annotations
	}
	return d, nil
}
