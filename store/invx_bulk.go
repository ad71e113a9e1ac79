package store

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// InvxActionItem is one action on one document, as a bulk request lists it.
type InvxActionItem struct {
	DocID    string
	Action   InvxAction
	Comments *string
}

// InvxItemResult is the outcome of one item: the document after the change (without Body), or
// why it failed (*InvxActionError, *InvxDuplicateItemError, or an error wrapping ErrNotFound).
type InvxItemResult struct {
	Document *InvxDocument
	Err      error
}

// invxPlan is what a batch will try: results already known (repeated docIds) and the items to
// send to the database, each the first occurrence of its docId.
type invxPlan struct {
	results []InvxItemResult
	apply   []int // indexes into the request, in request order
}

// planInvxBatch applies the first occurrence of each docId and fails the later ones.
func planInvxBatch(items []InvxActionItem) invxPlan {
	p := invxPlan{results: make([]InvxItemResult, len(items))}
	first := make(map[string]int, len(items))
	for i, it := range items {
		if j, seen := first[it.DocID]; seen {
			p.results[i].Err = &InvxDuplicateItemError{DocID: it.DocID, FirstIndex: j}
			continue
		}
		first[it.DocID] = i
		p.apply = append(p.apply, i)
	}
	return p
}

// invxCommentColumn is where each action keeps its comments; del keeps none.
var invxCommentColumn = map[InvxAction]string{
	InvxAccept:  "acceptance_comments",
	InvxDeny:    "denial_comments",
	InvxDispute: "dispute_comments",
}

// invxViewColumns are the columns the API shows: all but the stored request body, which a
// bulk response has no use for and would multiply the bytes read back.
const invxViewColumns = "organization_id, id, doc_number, doc_type, doc_date, seller_gstin, buyer_gstin, ird_doc_type, amount, " +
	"acceptance_comments, denial_comments, dispute_comments, status, created_by_user_id, created_on, " +
	"last_updated_by_user_id, last_updated, annotations"

// invxUpdateSQL builds the one conditional UPDATE that applies every item of a batch: each row
// changes only if its current status allows its item's action, so concurrent batches apply each
// change once and the losers simply get no row back. Items must have distinct docIds.
func invxUpdateSQL(idsIn func([]string) (string, any), orgID, userID string, items []InvxActionItem, now time.Time) (string, []any) {
	byAction := map[InvxAction][]InvxActionItem{}
	for _, it := range items {
		byAction[it.Action] = append(byAction[it.Action], it)
	}
	ids := func(its []InvxActionItem) []string {
		out := make([]string, len(its))
		for i, it := range its {
			out[i] = it.DocID
		}
		return out
	}
	var sb strings.Builder
	var args []any
	sb.WriteString("UPDATE invx_documents SET status = ")
	if len(byAction) == 1 {
		// The common case (a bulk delete) needs no per-row CASE.
		sb.WriteString("?")
		args = append(args, invxTable[items[0].Action].to)
	} else {
		sb.WriteString("CASE")
		for _, a := range InvxActions {
			if its := byAction[a]; len(its) > 0 {
				sql, v := idsIn(ids(its))
				sb.WriteString(" WHEN " + sql + " THEN ?")
				args = append(args, v, invxTable[a].to)
			}
		}
		sb.WriteString(" END")
	}
	for _, a := range InvxActions {
		col, its := invxCommentColumn[a], byAction[a]
		if col == "" || len(its) == 0 {
			continue
		}
		var none []string
		var set strings.Builder
		var setArgs []any
		for _, it := range its {
			if it.Comments == nil {
				none = append(none, it.DocID)
				continue
			}
			set.WriteString(" WHEN id = ? THEN ?")
			setArgs = append(setArgs, it.DocID, *it.Comments)
		}
		sb.WriteString(", " + col + " = CASE")
		if len(none) > 0 {
			sql, v := idsIn(none)
			sb.WriteString(" WHEN " + sql + " THEN NULL")
			args = append(args, v)
		}
		sb.WriteString(set.String() + " ELSE " + col + " END")
		args = append(args, setArgs...)
	}
	sb.WriteString(", last_updated = ?, last_updated_by_user_id = ? WHERE organization_id = ? AND (")
	args = append(args, now.UnixMilli(), userID, orgID)
	n := 0
	for _, a := range InvxActions {
		its := byAction[a]
		if len(its) == 0 {
			continue
		}
		if n > 0 {
			sb.WriteString(" OR ")
		}
		n++
		sql, v := idsIn(ids(its))
		sb.WriteString("(" + sql + " AND status IN ?)")
		args = append(args, v, invxAllowedFrom(a))
	}
	sb.WriteString(") RETURNING " + invxViewColumns)
	return sb.String(), args
}

// invxResolve fills in the results of the items sent to the database: applied when the UPDATE
// returned the row, else not allowed in the state it has now, else not found.
func invxResolve(p invxPlan, items []InvxActionItem, updated map[string]InvxDocument, current map[string]InvxStatus) []InvxItemResult {
	for _, i := range p.apply {
		it := items[i]
		if doc, ok := updated[it.DocID]; ok {
			p.results[i].Document = &doc
			continue
		}
		if st, ok := current[it.DocID]; ok {
			// Nothing re-enters an action's allowed states once outside them, so the state read
			// after the UPDATE is the reason it did not apply.
			p.results[i].Err = &InvxActionError{Action: it.Action, Status: st}
			continue
		}
		p.results[i].Err = fmt.Errorf("document %s: %w", it.DocID, ErrNotFound)
	}
	return p.results
}

// InvxApplyActions applies buyer actions to documents of the organization, each item on its own:
// one result per item in request order. It costs at most two statements whatever the number of
// items: one conditional UPDATE ... RETURNING for all of them, then one SELECT of the states of
// the items that did not apply (unknown, another organization's, or not allowed).
func (s *Store) InvxApplyActions(ctx context.Context, orgID, userID string, items []InvxActionItem) ([]InvxItemResult, error) {
	p := planInvxBatch(items)
	if len(p.apply) == 0 {
		return p.results, nil
	}
	toApply := make([]InvxActionItem, len(p.apply))
	for k, i := range p.apply {
		toApply[k] = items[i]
	}
	query, args := invxUpdateSQL(s.invxIDsIn, orgID, userID, toApply, time.Now())
	var updated map[string]InvxDocument
	var err error
	for attempt := 0; ; attempt++ {
		updated, err = s.invxUpdateRows(ctx, query, args, len(toApply))
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
	current := map[string]InvxStatus{}
	if len(missing) > 0 {
		var rows []struct {
			ID     string
			Status InvxStatus
		}
		err := s.db.WithContext(ctx).Model(&InvxDocument{}).Select("id, status").
			Where("organization_id = ? AND id IN ?", orgID, missing).Scan(&rows).Error
		if err != nil {
			return nil, fmt.Errorf("read document states: %w", err)
		}
		for _, r := range rows {
			current[r.ID] = r.Status
		}
	}
	return invxResolve(p, items, updated, current), nil
}

// InvxApplyAction applies one action to one document and returns the document after it (without
// Body); the errors are those of an InvxApplyActions item.
func (s *Store) InvxApplyAction(ctx context.Context, orgID, userID string, item InvxActionItem) (InvxDocument, error) {
	res, err := s.InvxApplyActions(ctx, orgID, userID, []InvxActionItem{item})
	if err != nil {
		return InvxDocument{}, err
	}
	if res[0].Err != nil {
		return InvxDocument{}, res[0].Err
	}
	return *res[0].Document, nil
}

// invxUpdateRows runs the UPDATE ... RETURNING invxViewColumns and reads the rows by hand: GORM's
// reflective Scan cost more than the statement itself for a thousand rows.
func (s *Store) invxUpdateRows(ctx context.Context, query string, args []any, capacity int) (map[string]InvxDocument, error) {
	rows, err := s.db.WithContext(ctx).Raw(query, args...).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[string]InvxDocument, capacity)
	for rows.Next() {
		var d InvxDocument
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

// invxIDsIn is the SQL condition "id is one of ids" and its one argument: a single text[]
// parameter on PostgreSQL (one bind instead of a thousand), an expanded IN list on SQLite, which
// has no arrays.
func (s *Store) invxIDsIn(ids []string) (string, any) {
	if s.sqlite {
		return "id IN ?", ids
	}
	return "id = ANY(?)", pgTextArray(ids)
}

var pgArrayEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

// pgTextArray binds a string slice as one PostgreSQL array literal.
type pgTextArray []string

// Value writes the array literal, quoting every element.
func (a pgTextArray) Value() (driver.Value, error) {
	var sb strings.Builder
	sb.WriteByte('{')
	for i, v := range a {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteByte('"')
		sb.WriteString(pgArrayEscaper.Replace(v))
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
