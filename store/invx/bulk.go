package invx

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"time"

	"github.com/go-json-experiment/json/jsontext"

	"gorm.io/gorm"

	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/activity"
)

// ActionItem is one action on one document, as a bulk request lists it.
type ActionItem struct {
	DocID    string
	Action   Action
	Comments *string
}

// ItemResult is the outcome of one item: the document after the change (without Body; its ID is
// the item's DocID byte for byte, as resolve pairs rows with items by a map keyed by the row's
// ID), or why it failed (*ActionError, *DuplicateItemError, or an error wrapping
// store.ErrNotFound).
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

// resolve fills in the results of the items sent to the database: applied when the UPDATE
// returned the row, else not allowed in the state it has now, else not found.
func resolve(p plan, items []ActionItem, updated map[string]*Document, current map[string]Status) []ItemResult {
	for _, i := range p.apply {
		it := items[i]
		if doc, ok := updated[it.DocID]; ok {
			p.results[i].Document = doc
			continue
		}
		if st, ok := current[it.DocID]; ok {
			// Nothing re-enters an action's allowed states once outside them, so the state read
			// after the UPDATE is the reason it did not apply.
			p.results[i].Err = &ActionError{DocID: it.DocID, Action: it.Action, From: st}
			continue
		}
		p.results[i].Err = fmt.Errorf("document %s: %w", it.DocID, store.ErrNotFound)
	}
	return p.results
}

// ApplyActions applies buyer actions to documents of the organization, each item on its own:
// one result per item in request order. It costs at most four statements whatever the number of
// items: one conditional UPDATE ... RETURNING for all of them and, in its transaction, one
// activity-log entry for the documents deleted (on PostgreSQL a large batch first tunes its
// transaction: tuneLarge; the transaction is two round trips, BEGIN and COMMIT included, but for
// a rare re-read); then one SELECT of the states of the items that did not apply
// (unknown, another organization's, or not allowed). The first large batch of a Store also asks
// once whether the server has lz4.
func (s *Store) ApplyActions(ctx context.Context, orgID, userID string, items []ActionItem) ([]ItemResult, error) {
	p := planBatch(items)
	if len(p.apply) == 0 {
		return p.results, nil
	}
	toApply := make([]ActionItem, len(p.apply))
	for k, i := range p.apply {
		toApply[k] = items[i]
	}
	now := s.db.Now()
	query, args := s.sql.apply(orgID, userID, toApply, now)
	var updated map[string]*Document
	var err error
	for attempt := 0; ; attempt++ {
		err = s.db.PipelinedTx(ctx, func(tx *gorm.DB) error {
			// Two round trips on PostgreSQL (store.Batch): BEGIN, the settings and the UPDATE;
			// then the activity entry and COMMIT.
			b := store.NewBatch(tx)
			if len(toApply) >= largeBatch {
				if err := s.tuneLarge(tx, b); err != nil {
					return err
				}
			}
			var again []string
			b.Query("apply document actions", func(rows store.Rows) error {
				var err error
				updated, again, err = s.readUpdated(rows, s.sql.rows, len(toApply))
				return err
			}, query, args...)
			if err := b.Run(); err != nil {
				return err
			}
			if len(again) > 0 {
				if err := s.rereadUpdated(tx, orgID, again, updated); err != nil {
					return err
				}
			}
			s.queueDeletesEntry(b, orgID, userID, toApply, updated, now)
			return b.RunLast()
		})
		// The transaction changed nothing when PostgreSQL chose it as a deadlock victim (two
		// batches locking overlapping rows in different plan orders), so running it again is safe.
		if !store.IsDeadlock(err) || attempt == 2 {
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
		query, args := s.sql.states(orgID, missing)
		if err := s.db.Gorm(ctx).Raw(query, args...).Scan(&rows).Error; err != nil {
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

// queueDeletesEntry queues one activity-log entry for the documents the request deleted (none when
// no del item applied): their ids and numbers, in request order (DeletesDetails).
func (s *Store) queueDeletesEntry(b *store.Batch, orgID, userID string, items []ActionItem, updated map[string]*Document, now time.Time) {
	deleted := func(it ActionItem) (*Document, bool) {
		d, ok := updated[it.DocID]
		return d, ok && it.Action == Delete
	}
	n := 0
	for _, it := range items {
		if _, ok := deleted(it); ok {
			n++
		}
	}
	if n == 0 {
		return
	}
	docs := make([]byte, 0, DeletedDocumentSize*n)
	for _, it := range items {
		if d, ok := deleted(it); ok {
			docs = AppendDeletedDocument(docs, d.DocNumber, d.ID, d.SellerGstin)
		}
	}
	activity.QueueJSON(b, orgID, userID, activity.InvxDeleteDocuments, DeletesDetails(n, docs), now)
}

// DeletedDocumentSize is the most bytes AppendDeletedDocument appends for a document the API
// accepts (its patterns allow nothing to escape in the number, id and GSTIN), the comma included:
// a buffer of n times it does not grow (from 100 a document it did: a copy of 100 KB per 1000).
const DeletedDocumentSize = len(`,{"docNumber":"","id":"","sellerGstin":""}`) + 16 + 36 + 15

// AppendDeletedDocument appends one document to docs, the documents of DeletesDetails (a comma
// first unless docs is empty). Written here, not by encoding/json: a map of the three would give the
// same object, but reflecting over 1000 documents costs. Stored text is valid UTF-8 (the server
// refuses anything else), so AppendQuote's error, for invalid bytes it writes as U+FFFD, cannot
// occur. Generic so that a caller holding the columns as bytes need not copy them to strings.
func AppendDeletedDocument[T ~string | ~[]byte](docs []byte, docNumber, id, sellerGstin T) []byte {
	if len(docs) > 0 {
		docs = append(docs, ',')
	}
	docs = append(docs, `{"docNumber":`...)
	docs, _ = jsontext.AppendQuote(docs, docNumber)
	docs = append(docs, `,"id":`...)
	docs, _ = jsontext.AppendQuote(docs, id)
	docs = append(docs, `,"sellerGstin":`...)
	docs, _ = jsontext.AppendQuote(docs, sellerGstin)
	return append(docs, '}')
}

// DeletesDetails is the details of the activity entry of a bulk delete of n documents, docs
// (appended by AppendDeletedDocument): {"count":n,"documents":[…]}, as the text the entry stores,
// made with one copy of docs.
func DeletesDetails(n int, docs []byte) string {
	var details strings.Builder
	details.Grow(len(docs) + len(`{"count":,"documents":[]}`) + 20)
	details.WriteString(`{"count":`)
	details.WriteString(strconv.Itoa(n))
	details.WriteString(`,"documents":[`)
	details.Write(docs)
	details.WriteString("]}")
	return details.String()
}

// readUpdated reads the rows of a bulk UPDATE ... RETURNING (statements.readBack) in format, and
// returns them by id, and the ids of the rows its split found ambiguous (to reread). The documents
// live in one slice, so a row costs no allocation of its own beyond its values.
func (s *Store) readUpdated(rows store.Rows, format rowFormat, capacity int) (map[string]*Document, []string, error) {
	docs := make([]Document, 0, capacity)
	sc := documentScanner{format: format}
	var again []string
	for rows.Next() {
		d, err := sc.scan(rows)
		if err != nil {
			var amb *ambiguousRow // here, not per row: errors.As takes its address, a heap allocation
			if errors.As(err, &amb) {
				again = append(again, amb.id)
				continue
			}
			return nil, nil, err
		}
		docs = append(docs, d)
	}
	out := make(map[string]*Document, len(docs)+len(again))
	for i := range docs {
		out[docs[i].ID] = &docs[i]
	}
	return out, again, nil
}

// rereadUpdated adds to updated the documents of ids, which the UPDATE changed but whose rows were
// ambiguous, read again in the transaction that changed them.
func (s *Store) rereadUpdated(tx *gorm.DB, orgID string, ids []string, updated map[string]*Document) error {
	query, args := s.sql.reread(orgID, ids)
	rows, err := tx.Raw(query, args...).Rows()
	if err != nil {
		return fmt.Errorf("read documents again: %w", err)
	}
	defer rows.Close()
	got, _, err := s.readUpdated(rows, rowFormat{split: splitLengths}, len(ids))
	if err != nil {
		return fmt.Errorf("read documents again: %w", err)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read documents again: %w", err)
	}
	if len(got) != len(ids) {
		return fmt.Errorf("read documents again: %d of %d found", len(got), len(ids))
	}
	maps.Copy(updated, got)
	return nil
}
