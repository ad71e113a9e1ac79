package invx_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/deletesvc/deletesvc/store/invx"

	"github.com/google/uuid"

	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/demo"
	"github.com/deletesvc/deletesvc/store/storetest"
)

func newDoc(no string) invx.NewDocument {
	return invx.NewDocument{
		DocNumber: no, DocType: "100", DocDate: "23/01/2023", SellerGstin: "27AAAPI3182M002",
		BuyerGstin: "27ACBPN2353E1ZX", Amount: store.MustDecimal("100.00"), Body: `{"Version":"1.1"}`,
	}
}

func TestCreateAndGet(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := invx.New(db)
		ctx := context.Background()
		u, org := storetest.Tenant(t, db, "seller@example.com")
		other, otherOrg := storetest.Tenant(t, db, "other@example.com")
		doc, err := s.CreateDocument(ctx, org.ID, u.ID, newDoc("HBF54C87462494AA"))
		if err != nil {
			t.Fatal(err)
		}
		if doc.Status != invx.Created || doc.IrdDocType != "PRE" || doc.LastUpdatedByUserID != nil || doc.LastUpdated != doc.CreatedOn || doc.CreatedOn == 0 {
			t.Errorf("new document %+v", doc)
		}
		got, err := s.GetDocument(ctx, org.ID, doc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Amount.Equal(store.MustDecimal("100").Decimal) || got.DocNumber != "HBF54C87462494AA" || got.Body != `{"Version":"1.1"}` || got.Annotations == nil {
			t.Errorf("read back %+v", got)
		}
		// Same number, same seller, same organization: refused, even once the first is deleted.
		if _, err := s.ApplyAction(ctx, org.ID, u.ID, invx.ActionItem{DocID: doc.ID, Action: invx.Delete}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateDocument(ctx, org.ID, u.ID, newDoc("HBF54C87462494AA")); !errors.Is(err, store.ErrConflict) {
			t.Errorf("duplicate number: %v, want ErrConflict", err)
		}
		// Another seller, or another organization, may use the number.
		nd := newDoc("HBF54C87462494AA")
		nd.SellerGstin = "29AABCT1332L1ZV"
		if _, err := s.CreateDocument(ctx, org.ID, u.ID, nd); err != nil {
			t.Errorf("same number, other seller: %v", err)
		}
		if _, err := s.CreateDocument(ctx, otherOrg.ID, other.ID, newDoc("HBF54C87462494AA")); err != nil {
			t.Errorf("same number, other organization: %v", err)
		}
		if _, err := s.GetDocument(ctx, otherOrg.ID, doc.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("another organization's document: %v, want ErrNotFound", err)
		}
	})
}

// TestEveryPair applies each action to a document in each state through the database and
// compares with the pure state machine and the stored row.
func TestEveryPair(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := invx.New(db)
		ctx := context.Background()
		u, org := storetest.Tenant(t, db, "buyer@example.com")
		for _, a := range invx.Actions {
			ids, err := s.SeedDocuments(ctx, org.ID, len(invx.Statuses), invx.Statuses, nil)
			if err != nil {
				t.Fatal(err)
			}
			comment := "note " + string(a)
			items := make([]invx.ActionItem, len(ids))
			for i, id := range ids {
				items[i] = invx.ActionItem{DocID: id, Action: a, Comments: &comment}
			}
			before := map[string]invx.Document{}
			for _, id := range ids {
				before[id], _ = s.GetDocument(ctx, org.ID, id)
			}
			res, err := s.ApplyActions(ctx, org.ID, u.ID, items)
			if err != nil {
				t.Fatal(err)
			}
			for i, st := range invx.Statuses {
				want, werr := invx.Next(st, a)
				after, err := s.GetDocument(ctx, org.ID, ids[i])
				if err != nil {
					t.Fatal(err)
				}
				if werr != nil {
					var ae *invx.ActionError
					if !errors.As(res[i].Err, &ae) || *ae != (invx.ActionError{DocID: ids[i], Action: a, From: st}) || res[i].Document != nil {
						t.Errorf("%s on %s: result %+v, want %v", a, st, res[i], werr)
					}
					if after.Status != st || after.LastUpdated != before[ids[i]].LastUpdated {
						t.Errorf("%s on %s changed the document: %+v", a, st, after)
					}
					continue
				}
				if res[i].Err != nil || res[i].Document == nil || res[i].Document.Status != want || after.Status != want {
					t.Errorf("%s on %s: result %+v, stored %s, want %s", a, st, res[i], after.Status, want)
					continue
				}
				if after.LastUpdatedByUserID == nil || *after.LastUpdatedByUserID != u.ID || after.LastUpdated < before[ids[i]].LastUpdated {
					t.Errorf("%s on %s: last update not recorded: %+v", a, st, after)
				}
				b := before[ids[i]]
				wantAcc, wantDny, wantDpt := b.AcceptanceComments, b.DenialComments, b.DisputeComments
				switch a {
				case invx.Accept:
					wantAcc = &comment
				case invx.Deny:
					wantDny = &comment
				case invx.Dispute:
					wantDpt = &comment
				}
				if !eqPtr(after.AcceptanceComments, wantAcc) || !eqPtr(after.DenialComments, wantDny) || !eqPtr(after.DisputeComments, wantDpt) {
					t.Errorf("%s on %s: comments %v %v %v", a, st, str(after.AcceptanceComments), str(after.DenialComments), str(after.DisputeComments))
				}
				if after.DocNumber != b.DocNumber || !after.Amount.Equal(b.Amount.Decimal) || after.CreatedOn != b.CreatedOn {
					t.Errorf("%s on %s changed other fields: %+v", a, st, after)
				}
			}
		}
	})
}

func eqPtr(a, b *string) bool { return (a == nil && b == nil) || (a != nil && b != nil && *a == *b) }

func str(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return *p
}

func TestMixedBulk(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := invx.New(db)
		ctx := context.Background()
		u, org := storetest.Tenant(t, db, "buyer@example.com")
		other, otherOrg := storetest.Tenant(t, db, "other@example.com")
		created, err := s.SeedDocuments(ctx, org.ID, 3, []invx.Status{invx.Created}, nil)
		if err != nil {
			t.Fatal(err)
		}
		frozen, err := s.SeedDocuments(ctx, org.ID, 1, []invx.Status{invx.Frozen}, nil)
		if err != nil {
			t.Fatal(err)
		}
		foreign, err := s.SeedDocuments(ctx, otherOrg.ID, 1, []invx.Status{invx.Created}, nil)
		if err != nil {
			t.Fatal(err)
		}
		unknown := uuid.NewString()
		yes := "agreed"
		items := []invx.ActionItem{
			{DocID: created[0], Action: invx.Delete},
			{DocID: frozen[0], Action: invx.Delete},
			{DocID: unknown, Action: invx.Accept},
			{DocID: foreign[0], Action: invx.Delete},
			{DocID: created[0], Action: invx.Dispute},
			{DocID: created[1], Action: invx.Accept, Comments: &yes},
			{DocID: created[2], Action: invx.Deny},
		}
		res, err := s.ApplyActions(ctx, org.ID, u.ID, items)
		if err != nil {
			t.Fatal(err)
		}
		if len(res) != len(items) {
			t.Fatalf("%d results for %d items", len(res), len(items))
		}
		if d := res[0].Document; res[0].Err != nil || d == nil || d.Status != invx.Deleted || d.ID != created[0] {
			t.Errorf("item 0: %+v", res[0])
		}
		var ae *invx.ActionError
		if !errors.As(res[1].Err, &ae) || *ae != (invx.ActionError{DocID: frozen[0], Action: invx.Delete, From: invx.Frozen}) || !errors.Is(res[1].Err, store.ErrConflict) {
			t.Errorf("item 1: %v", res[1].Err)
		}
		for _, i := range []int{2, 3} {
			if !errors.Is(res[i].Err, store.ErrNotFound) || res[i].Document != nil {
				t.Errorf("item %d: %+v, want not found", i, res[i])
			}
		}
		var de *invx.DuplicateItemError
		if !errors.As(res[4].Err, &de) || de.FirstIndex != 0 || de.DocID != created[0] {
			t.Errorf("item 4: %v, want duplicate of 0", res[4].Err)
		}
		if d := res[5].Document; res[5].Err != nil || d.Status != invx.Accepted || str(d.AcceptanceComments) != "agreed" {
			t.Errorf("item 5: %+v", res[5])
		}
		if d := res[6].Document; res[6].Err != nil || d.Status != invx.Denied || d.DenialComments != nil {
			t.Errorf("item 6: %+v", res[6])
		}
		// The other organization's document is untouched, and the duplicate did not apply.
		if d, err := s.GetDocument(ctx, otherOrg.ID, foreign[0]); err != nil || d.Status != invx.Created || d.LastUpdatedByUserID != nil {
			t.Errorf("foreign document: %+v %v (other user %s)", d, err, other.ID)
		}
		if d, _ := s.GetDocument(ctx, org.ID, created[0]); d.Status != invx.Deleted || d.DisputeComments != nil {
			t.Errorf("deleted document read back: %+v", d)
		}
	})
}

// TestBulkStatements proves the bulk path is set-based: 10 and 1000 items cost the same
// number of statements, whether all apply or half fail.
func TestBulkStatements(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := invx.New(db)
		ctx := context.Background()
		u, org := storetest.Tenant(t, db, "buyer@example.com")
		count := func(n int, failing bool) int64 {
			ids, err := s.SeedDocuments(ctx, org.ID, n, []invx.Status{invx.Created, invx.Frozen}, nil)
			if err != nil {
				t.Fatal(err)
			}
			items := make([]invx.ActionItem, 0, n)
			for i, id := range ids {
				if failing || i%2 == 0 {
					it := invx.ActionItem{DocID: id, Action: invx.Delete}
					if i%4 == 2 {
						// Accepts carry comments, so the per-item comments are part of the count.
						note := "ok " + id
						it.Action, it.Comments = invx.Accept, &note
					}
					items = append(items, it)
				}
			}
			cctx, stmts := storetest.CountStatements(ctx)
			res, err := s.ApplyActions(cctx, org.ID, u.ID, items)
			if err != nil {
				t.Fatal(err)
			}
			failed := 0
			for _, r := range res {
				if r.Err != nil {
					failed++
				}
			}
			if want := map[bool]int{true: len(items) / 2, false: 0}[failing]; failed != want {
				t.Fatalf("%d of %d items failed, want %d", failed, len(items), want)
			}
			return stmts()
		}
		// The UPDATE, the activity-log entry, and the states of the items that failed; on
		// PostgreSQL a large batch's settings too (tuneLarge). The Store asks once whether the
		// server has lz4, in its first large batch: this one, before the counts.
		count(40, false)
		most := int64(3)
		if db.Dialect().Name() == "postgres" {
			most = 4
		}
		for _, failing := range []bool{false, true} {
			small, large := count(10, failing), count(1000, failing)
			if small > large || large > most {
				t.Errorf("failing=%v: 10 items cost %d statements, 1000 cost %d; want at most %d", failing, small, large, most)
			}
		}
	})
}

// TestBulkRoundTrips: on PostgreSQL a bulk call takes 2 round trips whatever its size (BEGIN, the
// settings and the UPDATE … RETURNING; then the activity entry and COMMIT), and 3 when items fail
// (their states are read after the transaction). Each count is taken on the second call of its
// kind, once its statements are prepared on the connection.
func TestBulkRoundTrips(t *testing.T) {
	t.Parallel()
	storetest.OnlyPostgres(t, func(t *testing.T, db *store.DB) {
		seeder := invx.New(db)
		ctx := context.Background()
		u, org := storetest.Tenant(t, db, "buyer@example.com")
		proxied, trips := storetest.RoundTrips(t, db)
		s := invx.New(proxied)
		for _, n := range []int{10, 1000} {
			for _, failing := range []bool{false, true} {
				var got int64
				for range 2 {
					ids, err := seeder.SeedDocuments(ctx, org.ID, n, []invx.Status{invx.Created, invx.Frozen}, nil)
					if err != nil {
						t.Fatal(err)
					}
					var items []invx.ActionItem
					for i, id := range ids {
						if failing || i%2 == 0 { // the odd ones are frozen: deleting them fails
							items = append(items, invx.ActionItem{DocID: id, Action: invx.Delete})
						}
					}
					before := trips()
					if _, err := s.ApplyActions(ctx, org.ID, u.ID, items); err != nil {
						t.Fatal(err)
					}
					got = trips() - before
				}
				if want := map[bool]int64{false: 2, true: 3}[failing]; got != want {
					t.Errorf("%d documents, failing=%v: %d round trips, want %d", n, failing, got, want)
				}
			}
		}
	})
}

// TestConcurrentBulk races 50 overlapping bulk deletes: each document is deleted exactly
// once, and every other attempt reports the state error.
func TestConcurrentBulk(t *testing.T) {
	t.Parallel()
	storetest.OnlyPostgres(t, func(t *testing.T, db *store.DB) {
		s := invx.New(db)
		ctx := context.Background()
		u, org := storetest.Tenant(t, db, "buyer@example.com")
		const docs, workers, window = 200, 50, 40
		ids, err := s.SeedDocuments(ctx, org.ID, docs, []invx.Status{invx.Created}, nil)
		if err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		applied := map[string]int{}
		attempts := map[string]int{}
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				items := make([]invx.ActionItem, 0, window)
				for k := range window {
					// Overlapping windows, every other one reversed, so lock orders differ.
					i := (w*7 + k) % docs
					if w%2 == 1 {
						i = (w*7 + window - 1 - k) % docs
					}
					items = append(items, invx.ActionItem{DocID: ids[i], Action: invx.Delete})
				}
				res, err := s.ApplyActions(ctx, org.ID, u.ID, items)
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				defer mu.Unlock()
				for k, r := range res {
					id := items[k].DocID
					attempts[id]++
					var ae *invx.ActionError
					switch {
					case r.Err == nil:
						applied[id]++
					case !errors.As(r.Err, &ae) || ae.From != invx.Deleted:
						errs <- fmt.Errorf("item %s: %v", id, r.Err)
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		for id, n := range attempts {
			if applied[id] != 1 {
				t.Errorf("document %s attempted %d times, applied %d times; want exactly once", id, n, applied[id])
			}
		}
		if len(attempts) < docs/2 {
			t.Fatalf("only %d documents attempted", len(attempts))
		}
	})
}

// TestSeeder fills an organization through the seed command's entry point: every state
// appears, and progress reaches the row count.
func TestSeeder(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := invx.New(db)
		ctx := context.Background()
		_, org := storetest.Tenant(t, db, "seed@example.com")
		last := 0
		seeder := demo.New(db, storetest.Identity(db))
		if err := seeder.Seed(ctx, "invx", org.ID, 1090, func(done int) { last = done }); err != nil {
			t.Fatal(err)
		}
		if last != 1090 {
			t.Errorf("progress ended at %d, want 1090", last)
		}
		ids, err := s.SeedDocuments(ctx, org.ID, 9, invx.Statuses, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i, id := range ids {
			d, err := s.GetDocument(ctx, org.ID, id)
			if err != nil || d.Status != invx.Statuses[i] {
				t.Errorf("seeded document %d: %v %v, want state %s", i, d.Status, err, invx.Statuses[i])
			}
		}
	})
}

// TestClock: the store stamps creations and updates with its injected clock. The clock is the
// store's, not the database's, so SQLite is enough.
func TestClock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2023, 1, 23, 10, 30, 0, 0, time.UTC)
	db, err := store.Open(ctx, storetest.URL(t, storetest.SQLite), store.Options{Logger: storetest.Logger(), Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	s := invx.New(db)
	u, org := storetest.Tenant(t, db, "clock@example.com")
	doc, err := s.CreateDocument(ctx, org.ID, u.ID, newDoc("CLOCK1"))
	if err != nil {
		t.Fatal(err)
	}
	if doc.CreatedOn != now.UnixMilli() || doc.LastUpdated != now.UnixMilli() {
		t.Errorf("created %d, updated %d; want both %d", doc.CreatedOn, doc.LastUpdated, now.UnixMilli())
	}
	now = now.Add(time.Hour)
	doc, err = s.ApplyAction(ctx, org.ID, u.ID, invx.ActionItem{DocID: doc.ID, Action: invx.Accept})
	if err != nil {
		t.Fatal(err)
	}
	if doc.LastUpdated != now.UnixMilli() {
		t.Errorf("updated %d, want %d", doc.LastUpdated, now.UnixMilli())
	}
}

// TestLargeDeleteCompressesWithLZ4: on a PostgreSQL that has lz4, the activity entry of a large
// delete is stored lz4-compressed (pglz cost 1.1 ms more per 1000 documents) and reads back whole,
// which also shows that tuneLarge's one statement ran (it sets the plan cache mode beside); a
// small one stays below the compression threshold.
func TestLargeDeleteCompressesWithLZ4(t *testing.T) {
	t.Parallel()
	storetest.OnlyPostgres(t, func(t *testing.T, db *store.DB) {
		s := invx.New(db)
		ctx := context.Background()
		u, org := storetest.Tenant(t, db, "buyer@example.com")
		// Citus stores the entry on a worker, which does not take the coordinator's SET LOCAL.
		var lz4 bool
		if err := db.Gorm(ctx).Raw("SELECT 'lz4' = ANY(enumvals) AND NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') FROM pg_settings WHERE name = 'default_toast_compression'").Scan(&lz4).Error; err != nil {
			t.Fatal(err)
		}
		del := func(n int) (method *string, details string) {
			ids, err := s.SeedDocuments(ctx, org.ID, n, []invx.Status{invx.Created}, nil)
			if err != nil {
				t.Fatal(err)
			}
			items := make([]invx.ActionItem, n)
			for i, id := range ids {
				items[i] = invx.ActionItem{DocID: id, Action: invx.Delete}
			}
			if _, err := s.ApplyActions(ctx, org.ID, u.ID, items); err != nil {
				t.Fatal(err)
			}
			var row struct {
				Method  *string
				Details string
			}
			if err := db.Gorm(ctx).Raw("SELECT pg_column_compression(details) AS method, details FROM ub_activity_logs WHERE organization_id = ? ORDER BY created_at DESC, id DESC LIMIT 1", org.ID).Scan(&row).Error; err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(row.Details, ids[n-1]) || !strings.HasPrefix(row.Details, fmt.Sprintf(`{"count":%d,`, n)) {
				t.Errorf("%d documents: the entry reads back as %.200s", n, row.Details)
			}
			return row.Method, row.Details
		}
		if m, _ := del(1000); lz4 && (m == nil || *m != "lz4") {
			t.Errorf("1000 documents: details compressed with %q, want lz4", deref(m))
		}
		if m, _ := del(3); m != nil {
			t.Errorf("3 documents: details compressed with %s, want none (under the threshold)", *m)
		}
	})
}

func deref(s *string) string {
	if s == nil {
		return "<none>"
	}
	return *s
}

// TestDeleteActivityEntry checks the activity entry of a bulk delete against the details object
// encoding/json writes of the documents deleted, in request order: the entry is written by hand.
func TestDeleteActivityEntry(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := invx.New(db)
		ctx := context.Background()
		u, org := storetest.Tenant(t, db, "buyer@example.com")
		var docs []invx.Document
		for _, no := range []string{`A"<&>\é/1`, "B\t2", "C3"} {
			d, err := s.CreateDocument(ctx, org.ID, u.ID, newDoc(no))
			if err != nil {
				t.Fatal(err)
			}
			docs = append(docs, d)
		}
		items := []invx.ActionItem{
			{DocID: docs[2].ID, Action: invx.Delete},
			{DocID: docs[1].ID, Action: invx.Accept}, // applied, but no delete
			{DocID: docs[0].ID, Action: invx.Delete},
		}
		if _, err := s.ApplyActions(ctx, org.ID, u.ID, items); err != nil {
			t.Fatal(err)
		}
		var got string
		if err := db.Gorm(ctx).Raw("SELECT details FROM ub_activity_logs WHERE organization_id = ? AND action = ?", org.ID, "invx.document.delete").Scan(&got).Error; err != nil {
			t.Fatal(err)
		}
		type deleted struct {
			DocNumber   string `json:"docNumber"`
			ID          string `json:"id"`
			SellerGstin string `json:"sellerGstin"`
		}
		want, err := json.Marshal(map[string]any{"count": 2, "documents": []deleted{
			{DocNumber: docs[2].DocNumber, ID: docs[2].ID, SellerGstin: docs[2].SellerGstin},
			{DocNumber: docs[0].DocNumber, ID: docs[0].ID, SellerGstin: docs[0].SellerGstin},
		}})
		if err != nil {
			t.Fatal(err)
		}
		var gotV, wantV any
		if err := json.Unmarshal([]byte(got), &gotV); err != nil {
			t.Fatalf("details %q: %v", got, err)
		}
		_ = json.Unmarshal(want, &wantV)
		if !reflect.DeepEqual(gotV, wantV) {
			t.Errorf("details\n%s\nwant the same as\n%s", got, want)
		}
	})
}

// TestBulkReadsBackEveryColumn checks the documents a bulk answers with against the same documents
// read alone, with texts that hold the packed row's separators (PostgreSQL's record's, SQLite's unit
// separator and NULL markers), several bytes a character, NULLs and annotations.
func TestBulkReadsBackEveryColumn(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := invx.New(db)
		ctx := context.Background()
		u, org := storetest.Tenant(t, db, "buyer@example.com")
		var ids []string
		for _, no := range []string{"1;2,3-", "é€𝄞,;", `a"(\) b`, "unit\x1fsep", "+-", "-"} {
			d, err := s.CreateDocument(ctx, org.ID, u.ID, newDoc(no))
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, d.ID)
		}
		if err := db.Gorm(ctx).Exec("UPDATE invx_documents SET annotations = ? WHERE organization_id = ? AND id = ?", `["a,b;c","€ \\\""]`, org.ID, ids[0]).Error; err != nil {
			t.Fatal(err)
		}
		note, empty, minus, sep := `ok;12,-é€ "x" \\y\ (z) ""`, "", "-", "a\x1fb"
		items := []invx.ActionItem{
			{DocID: ids[0], Action: invx.Accept, Comments: &note},
			{DocID: ids[1], Action: invx.Dispute, Comments: &empty},
			{DocID: ids[2], Action: invx.Delete},
			{DocID: ids[3], Action: invx.Delete},                 // SQLite's row is ambiguous (the separator): read again
			{DocID: ids[4], Action: invx.Deny, Comments: &minus}, // "-", not NULL
			{DocID: ids[5], Action: invx.Accept, Comments: &sep},
		}
		res := applyAll(t, s, org.ID, u.ID, items)
		for i, r := range res {
			want, err := s.GetDocument(ctx, org.ID, ids[i])
			if err != nil {
				t.Fatal(err)
			}
			want.Body = ""
			if got := *r.Document; !reflect.DeepEqual(got, want) {
				t.Errorf("item %d answers\n%+v\nread alone\n%+v", i, got, want)
			}
		}
		if a := res[0].Document.Annotations; len(a) != 2 || a[0] != "a,b;c" {
			t.Errorf("annotations %q", a)
		}
		if c := res[1].Document.DisputeComments; c == nil || *c != "" {
			t.Errorf("empty comments read back as %v", c)
		}
	})
}

// TestBulkIsAtomicWithItsActivityEntry: when the activity entry cannot be written, no document
// changes (the UPDATE and the entry are one transaction), and once it can, the same request
// applies whole. The refusal is a constraint (PostgreSQL, Citus) or a trigger (SQLite) on the log.
func TestBulkIsAtomicWithItsActivityEntry(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := invx.New(db)
		ctx := context.Background()
		u, org := storetest.Tenant(t, db, "buyer@example.com")
		ids, err := s.SeedDocuments(ctx, org.ID, 40, []invx.Status{invx.Created}, nil)
		if err != nil {
			t.Fatal(err)
		}
		items := make([]invx.ActionItem, len(ids))
		for i, id := range ids {
			items[i] = invx.ActionItem{DocID: id, Action: invx.Delete}
		}
		items[1].Action = invx.Accept // applied beside the deletes, so undone with them
		refuse, allow := "ALTER TABLE ub_activity_logs ADD CONSTRAINT refuse_invx CHECK (action <> 'invx.document.delete')",
			"ALTER TABLE ub_activity_logs DROP CONSTRAINT refuse_invx"
		if db.Dialect().Name() == "sqlite" {
			refuse, allow = "CREATE TRIGGER refuse_invx BEFORE INSERT ON ub_activity_logs WHEN NEW.action = 'invx.document.delete' BEGIN SELECT RAISE(ABORT, 'refused'); END",
				"DROP TRIGGER refuse_invx"
		}
		if err := db.Gorm(ctx).Exec(refuse).Error; err != nil {
			t.Fatal(err)
		}
		for _, n := range []int{3, len(items)} { // below and above largeBatch: without and with the settings
			if _, err := s.ApplyActions(ctx, org.ID, u.ID, items[:n]); err == nil {
				t.Fatalf("%d items: applied although the activity entry was refused", n)
			}
		}
		states := func() map[invx.Status]int {
			out := map[invx.Status]int{}
			for _, id := range ids {
				d, err := s.GetDocument(ctx, org.ID, id)
				if err != nil {
					t.Fatal(err)
				}
				out[d.Status]++
			}
			return out
		}
		if got := states(); got[invx.Created] != len(ids) {
			t.Fatalf("after the refused entry the documents are %v, want all %s", got, invx.Created)
		}
		var entries int64
		if err := db.Gorm(ctx).Raw("SELECT count(*) FROM ub_activity_logs WHERE organization_id = ?", org.ID).Scan(&entries).Error; err != nil {
			t.Fatal(err)
		}
		if entries != 0 {
			t.Fatalf("%d activity entries after the refused requests, want 0", entries)
		}
		if err := db.Gorm(ctx).Exec(allow).Error; err != nil {
			t.Fatal(err)
		}
		applyAll(t, s, org.ID, u.ID, items)
		if got := states(); got[invx.Deleted] != len(ids)-1 || got[invx.Accepted] != 1 {
			t.Errorf("after the allowed request the documents are %v, want %d deleted and 1 accepted", got, len(ids)-1)
		}
	})
}

// applyAll applies items and fails the test unless every one of them applied.
func applyAll(t *testing.T, s *invx.Store, orgID, userID string, items []invx.ActionItem) []invx.ItemResult {
	t.Helper()
	res, err := s.ApplyActions(context.Background(), orgID, userID, items)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if r.Err != nil {
			t.Fatalf("item %d: %v", i, r.Err)
		}
	}
	return res
}
