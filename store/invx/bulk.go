package invx

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/deletesvc/deletesvc/store"

	"github.com/jackc/pgx/v5/pgconn"
)

// ActionItem is one action on one document, as a bulk request lists it.
type ActionItem struct {
	DocID    string
	Action   Action
	Comments *string
}

// ItemResult is the outcome of one item: the document after the change (without Body), or
// why it failed (*ActionError, *DuplicateItemError, or an error wrapping store.ErrNotFound).
type ItemResult struct {
	Document *Document
	Err      error
}

// plan is what a batch will try: results already known (repeated docIds) and the items to
// send to the database, each the first occurrence of its docId.
type plan struct {
	results []ItemResult
	apply   []int // indexes into the request, in request order
}

// planBatch applies the first occurrence of each docId and fails the later ones.
func planBatch(items []ActionItem) plan {
	p := plan{results: make([]ItemResult, len(items))}
	first := make(map[string]int, len(items))
	for i, it := range items {
		if j, seen := first[it.DocID]; seen {
			p.results[i].Err = &DuplicateItemError{DocID: it.DocID, FirstIndex: j}
			continue
		}
		first[it.DocID] = i
		p.apply = append(p.apply, i)
	}
	return p
}

// commentColumn is where each action keeps its comments; del keeps none.
var commentColumn = map[Action]string{
	Accept:  "acceptance_comments",
	Deny:    "denial_comments",
	Dispute: "dispute_comments",
}

// viewColumns are the columns the API shows: all but the stored request body, which a
// bulk response has no use for and would multiply the bytes read back.
const viewColumns = "organization_id, id, doc_number, doc_type, doc_date, seller_gstin, buyer_gstin, ird_doc_type, amount, " +
	"acceptance_comments, denial_comments, dispute_comments, status, created_by_user_id, created_on, " +
	"last_updated_by_user_id, last_updated, annotations"

// updateSQL builds the one conditional UPDATE that applies every item of a batch: each row
// changes only if its current status allows its item's action, so concurrent batches apply each
// change once and the losers simply get no row back. The items come in as rows v(doc_id, act, note)
// (source) joined on the id, so the statement's size and work stay linear in the items and its
// text and binds do not grow with them on PostgreSQL. Items must have distinct docIds.
func updateSQL(d invxDialect, orgID, userID string, items []ActionItem, now time.Time) (string, []any) {
	inBatch := map[Action]bool{}
	for _, it := range items {
		inBatch[it.Action] = true
	}
	var sb strings.Builder
	var args []any
	sb.WriteString("UPDATE invx_documents SET status = ")
	if len(inBatch) == 1 {
		// The common case (a bulk delete) needs no CASE.
		sb.WriteString("?")
		args = append(args, transitions[items[0].Action].to)
	} else {
		sb.WriteString("CASE v.act")
		for _, a := range Actions {
			if inBatch[a] {
				sb.WriteString(" WHEN ? THEN ?")
				args = append(args, string(a), transitions[a].to)
			}
		}
		sb.WriteString(" END")
	}
	// The common bulk delete needs no per-item values: a plain id list lets both databases walk
	// the primary key instead of joining a derived table.
	byIDs := len(inBatch) == 1 && !anyComments(items)
	for _, a := range Actions {
		// An item without comments clears its action's column (note is NULL).
		if col := commentColumn[a]; col != "" && inBatch[a] {
			if byIDs {
				sb.WriteString(", " + col + " = NULL")
				continue
			}
			sb.WriteString(", " + col + " = CASE WHEN v.act = ? THEN v.note ELSE " + col + " END")
			args = append(args, string(a))
		}
	}
	sb.WriteString(", last_updated = ?, last_updated_by_user_id = ?")
	args = append(args, now.UnixMilli(), userID)
	if byIDs {
		ids := make([]string, len(items))
		for i, it := range items {
			ids[i] = it.DocID
		}
		list, listArg := d.ids(ids)
		sb.WriteString(" WHERE invx_documents.organization_id = ? AND invx_documents.id " + list + " AND invx_documents.status IN ? RETURNING " + viewColumns)
		args = append(args, orgID, listArg, allowedFrom(items[0].Action))
		return sb.String(), args
	}
	from, fromArgs := d.items(items)
	sb.WriteString(" FROM " + from + " WHERE invx_documents.organization_id = ? AND invx_documents.id = v.doc_id AND (")
	args = append(args, fromArgs...)
	args = append(args, orgID)
	n := 0
	for _, a := range Actions {
		if !inBatch[a] {
			continue
		}
		if n > 0 {
			sb.WriteString(" OR ")
		}
		n++
		sb.WriteString("(v.act = ? AND invx_documents.status IN ?)")
		args = append(args, string(a), allowedFrom(a))
	}
	sb.WriteString(") RETURNING " + viewColumns)
	return sb.String(), args
}

// resolve fills in the results of the items sent to the database: applied when the UPDATE
// returned the row, else not allowed in the state it has now, else not found.
func resolve(p plan, items []ActionItem, updated map[string]Document, current map[string]Status) []ItemResult {
	for _, i := range p.apply {
		it := items[i]
		if doc, ok := updated[it.DocID]; ok {
			p.results[i].Document = &doc
			continue
		}
		if st, ok := current[it.DocID]; ok {
			// Nothing re-enters an action's allowed states once outside them, so the state read
			// after the UPDATE is the reason it did not apply.
			p.results[i].Err = &ActionError{Action: it.Action, Status: st}
			continue
		}
		p.results[i].Err = fmt.Errorf("document %s: %w", it.DocID, store.ErrNotFound)
	}
	return p.results
}

// ApplyActions applies buyer actions to documents of the organization, each item on its own:
// one result per item in request order. It costs at most two statements whatever the number of
// items: one conditional UPDATE ... RETURNING for all of them, then one SELECT of the states of
// the items that did not apply (unknown, another organization's, or not allowed).
func (s *Store) ApplyActions(ctx context.Context, orgID, userID string, items []ActionItem) ([]ItemResult, error) {
	p := planBatch(items)
	if len(p.apply) == 0 {
		return p.results, nil
	}
	toApply := make([]ActionItem, len(p.apply))
	for k, i := range p.apply {
		toApply[k] = items[i]
	}
	query, args := updateSQL(s.invxDialect(), orgID, userID, toApply, time.Now())
	var updated map[string]Document
	var err error
	for attempt := 0; ; attempt++ {
		updated, err = s.updateRows(ctx, query, args, len(toApply))
		// A single statement changed nothing when PostgreSQL chose it as a deadlock victim (two
		// batches locking overlapping rows in different plan orders), so running it again is safe.
		if !isDeadlock(err) || attempt == 2 {
			break
		}
	}
	if err != nil {
		return nil, fmt.Errorf("apply document actions: %w", err)
	}
	var missing []string
	for _, it := range toApply {
		if _, ok := updated[it.DocID]; !ok {
			missing = append(missing, it.DocID)
		}
	}
	current := map[string]Status{}
	if len(missing) > 0 {
		var rows []struct {
			ID     string
			Status Status
		}
		err := s.db.Gorm(ctx).Model(&Document{}).Select("id, status").
			Where("organization_id = ? AND id IN ?", orgID, missing).Scan(&rows).Error
		if err != nil {
			return nil, fmt.Errorf("read document states: %w", err)
		}
		for _, r := range rows {
			current[r.ID] = r.Status
		}
	}
	return resolve(p, items, updated, current), nil
}

// ApplyAction applies one action to one document and returns the document after it (without
// Body); the errors are those of an ApplyActions item.
func (s *Store) ApplyAction(ctx context.Context, orgID, userID string, item ActionItem) (Document, error) {
	res, err := s.ApplyActions(ctx, orgID, userID, []ActionItem{item})
	if err != nil {
		return Document{}, err
	}
	if res[0].Err != nil {
		return Document{}, res[0].Err
	}
	return *res[0].Document, nil
}

// updateRows runs the UPDATE ... RETURNING viewColumns and reads the rows by hand: GORM's
// reflective Scan cost more than the statement itself for a thousand rows.
func (s *Store) updateRows(ctx context.Context, query string, args []any, capacity int) (map[string]Document, error) {
	rows, err := s.db.Gorm(ctx).Raw(query, args...).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[string]Document, capacity)
	for rows.Next() {
		var d Document
		var annotations string
		if err := rows.Scan(&d.OrganizationID, &d.ID, &d.DocNumber, &d.DocType, &d.DocDate, &d.SellerGstin, &d.BuyerGstin,
			&d.IrdDocType, &d.Amount, &d.AcceptanceComments, &d.DenialComments, &d.DisputeComments, &d.Status,
			&d.CreatedByUserID, &d.CreatedOn, &d.LastUpdatedByUserID, &d.LastUpdated, &annotations); err != nil {
			return nil, err
		}
		d.Annotations = []string{}
		if annotations != "[]" && annotations != "" {
			if err := json.Unmarshal([]byte(annotations), &d.Annotations); err != nil {
				return nil, fmt.Errorf("annotations of document %s: %w", d.ID, err)
			}
		}
		out[d.ID] = d
	}
	return out, rows.Err()
}

// invxDialect is how a batch's items reach the UPDATE on the store's database.
type invxDialect struct {
	items func([]ActionItem) (string, []any)
	ids   func([]string) (string, any)
}

func (s *Store) invxDialect() invxDialect {
	return invxDialectFor(s.db.DialectName() == "sqlite")
}

func invxDialectFor(sqlite bool) invxDialect {
	return invxDialect{
		items: func(items []ActionItem) (string, []any) { return invxItemsSource(sqlite, items) },
		ids:   func(ids []string) (string, any) { return invxIDList(sqlite, ids) },
	}
}

// invxIDList is "IN (...)" on SQLite and "= ANY(array)" on PostgreSQL (one bind for any count).
func invxIDList(sqlite bool, ids []string) (string, any) {
	if sqlite {
		return "IN ?", ids
	}
	return "= ANY(?::text[])", pgTextArray(ids)
}

func anyComments(items []ActionItem) bool {
	for _, it := range items {
		if it.Comments != nil {
			return true
		}
	}
	return false
}

// invxItemsSource is the FROM item listing a batch's items as rows v(doc_id, act, note), and its
// arguments: three text[] parameters unnested on PostgreSQL (three binds whatever the number of
// items), a VALUES list on SQLite, which has no arrays.
func invxItemsSource(sqlite bool, items []ActionItem) (string, []any) {
	if sqlite {
		var sb strings.Builder
		args := make([]any, 0, 3*len(items))
		sb.WriteString("(SELECT column1 AS doc_id, column2 AS act, column3 AS note FROM (VALUES ")
		for i, it := range items {
			if i > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString("(?, ?, ?)")
			args = append(args, it.DocID, string(it.Action), it.Comments)
		}
		sb.WriteString(")) AS v")
		return sb.String(), args
	}
	ids, acts, notes := make(pgTextArray, len(items)), make(pgTextArray, len(items)), make(pgNullTextArray, len(items))
	for i, it := range items {
		ids[i], acts[i], notes[i] = it.DocID, string(it.Action), it.Comments
	}
	return "unnest(?::text[], ?::text[], ?::text[]) AS v(doc_id, act, note)", []any{ids, acts, notes}
}

var pgArrayEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

// pgTextArray binds a string slice as one PostgreSQL array literal.
type pgTextArray []string

// Value writes the array literal, quoting every element.
func (a pgTextArray) Value() (driver.Value, error) {
	p := make(pgNullTextArray, len(a))
	for i := range a {
		p[i] = &a[i]
	}
	return p.Value()
}

// pgNullTextArray binds a slice of optional strings as one PostgreSQL array literal; nil is NULL.
type pgNullTextArray []*string

// Value writes the array literal, quoting every element but NULL.
func (a pgNullTextArray) Value() (driver.Value, error) {
	var sb strings.Builder
	sb.WriteByte('{')
	for i, v := range a {
		if i > 0 {
			sb.WriteByte(',')
		}
		if v == nil {
			sb.WriteString("NULL")
			continue
		}
		sb.WriteByte('"')
		sb.WriteString(pgArrayEscaper.Replace(*v))
		sb.WriteByte('"')
	}
	sb.WriteByte('}')
	return sb.String(), nil
}

// isDeadlock reports PostgreSQL's deadlock_detected.
func isDeadlock(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "40P01"
}
