package store

import (
	"context"
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

// InvxItemResult is the outcome of one item: the document after the change, or why it failed
// (*InvxActionError, *InvxDuplicateItemError, or an error wrapping ErrNotFound).
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

// invxUpdateSQL builds the one conditional UPDATE that applies every item of a batch: each row
// changes only if its current status allows its item's action, so concurrent batches apply each
// change once and the losers simply get no row back. Items must have distinct docIds.
func invxUpdateSQL(orgID, userID string, items []InvxActionItem, now time.Time) (string, []any) {
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
				sb.WriteString(" WHEN id IN ? THEN ?")
				args = append(args, ids(its), invxTable[a].to)
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
			sb.WriteString(" WHEN id IN ? THEN NULL")
			args = append(args, none)
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
		sb.WriteString("(id IN ? AND status IN ?)")
		args = append(args, ids(its), invxAllowedFrom(a))
	}
	sb.WriteString(") RETURNING *")
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
	query, args := invxUpdateSQL(orgID, userID, toApply, time.Now())
	var docs []InvxDocument
	var err error
	for attempt := 0; ; attempt++ {
		docs = nil
		err = s.db.WithContext(ctx).Raw(query, args...).Scan(&docs).Error
		// A single statement changed nothing when PostgreSQL chose it as a deadlock victim (two
		// batches locking overlapping rows in different plan orders), so running it again is safe.
		if !isDeadlock(err) || attempt == 2 {
			break
		}
	}
	if err != nil {
		return nil, fmt.Errorf("apply document actions: %w", err)
	}
	updated := make(map[string]InvxDocument, len(docs))
	for _, d := range docs {
		updated[d.ID] = d
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

// InvxApplyAction applies one action to one document and returns the document after it; the
// errors are those of an InvxApplyActions item.
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

// isDeadlock reports PostgreSQL's deadlock_detected.
func isDeadlock(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "40P01"
}
