package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/storetest"
)

// An expired key is as good as new: a different request may take it, and the sweep deletes the
// expired keys of every organization.
func TestIdempotencyKeyExpiry(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		runs := 0
		run := func(context.Context) (store.StoredResponse, bool, error) {
			runs++
			return store.StoredResponse{Status: 201, ContentType: "application/json", Body: []byte(`{"n":1}`)}, true, nil
		}
		k := store.IdempotencyKey{OrgID: "org-a", CallerID: "u1", Key: "k", Fingerprint: "request-1", TTL: time.Hour}
		if _, replayed, err := db.Idempotent(ctx, k, run); err != nil || replayed {
			t.Fatalf("first: %v %v", replayed, err)
		}
		resp, replayed, err := db.Idempotent(ctx, k, run)
		if err != nil || !replayed || resp.Status != 201 || string(resp.Body) != `{"n":1}` || resp.ContentType != "application/json" || runs != 1 {
			t.Fatalf("repeat: %+v %v %v, runs %d", resp, replayed, err, runs)
		}
		other := k
		other.Fingerprint = "request-2"
		if _, _, err := db.Idempotent(ctx, other, run); !errors.Is(err, store.ErrIdempotencyMismatch) {
			t.Fatalf("other request, live key: %v, want ErrIdempotencyMismatch", err)
		}
		// Keys of another organization and another caller are apart.
		for _, apart := range []store.IdempotencyKey{{OrgID: "org-b", CallerID: "u1", Key: "k", Fingerprint: "request-2", TTL: time.Hour},
			{OrgID: "org-a", CallerID: "u2", Key: "k", Fingerprint: "request-2", TTL: time.Hour}} {
			if _, replayed, err := db.Idempotent(ctx, apart, run); err != nil || replayed {
				t.Fatalf("%+v: %v %v", apart, replayed, err)
			}
		}
		short := store.IdempotencyKey{OrgID: "org-a", CallerID: "u1", Key: "short", Fingerprint: "request-1", TTL: time.Millisecond}
		if _, _, err := db.Idempotent(ctx, short, run); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
		short.Fingerprint = "request-2"
		if _, replayed, err := db.Idempotent(ctx, short, run); err != nil || replayed {
			t.Fatalf("other request, expired key: %v %v, want it to run", replayed, err)
		}
		if runs != 5 {
			t.Fatalf("%d runs, want 5", runs)
		}
		time.Sleep(20 * time.Millisecond)
		if n, err := db.SweepIdempotencyKeys(ctx); err != nil || n != 1 {
			t.Fatalf("sweep: %d %v, want the one expired key", n, err)
		}
		// A run that is not kept (a 5xx) leaves the key free.
		failing := store.IdempotencyKey{OrgID: "org-a", CallerID: "u1", Key: "fails", Fingerprint: "request-1", TTL: time.Hour}
		if _, _, err := db.Idempotent(ctx, failing, func(context.Context) (store.StoredResponse, bool, error) {
			return store.StoredResponse{Status: 503}, false, nil
		}); err != nil {
			t.Fatal(err)
		}
		failing.Fingerprint = "request-2"
		if _, replayed, err := db.Idempotent(ctx, failing, run); err != nil || replayed {
			t.Fatalf("after a run not kept: %v %v, want the key free", replayed, err)
		}
	})
}
