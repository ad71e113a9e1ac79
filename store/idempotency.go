package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"
)

// Idempotency keys (IETF draft-ietf-httpapi-idempotency-key-header, Stripe's semantics). One rule in
// one place: Idempotent runs a whole request in one transaction that first claims the key and
// last stores the response beside it, and every transaction the request's store calls open
// (Tx, UncheckedTx, ReadTx, FanOut) joins that transaction, as do their plain reads (Gorm). So the
// key, the effects and the response commit together or not at all: a crash or a failed commit
// leaves none of them, and the retry runs the request once.

var (
	// ErrIdempotencyMismatch: the key was used for a different request (method, path, body or
	// caller): 422.
	ErrIdempotencyMismatch = errors.New("idempotency key was used for a different request")
	// ErrIdempotencyInFlight: a request with the key is still running after IdempotencyKey.Wait: 409.
	ErrIdempotencyInFlight = errors.New("a request with this idempotency key is still being processed")
)

// IdempotencyKey names one key: scoped per organization ("" when the call acts in none yet) and
// caller, bound to the fingerprint of the request that first used it.
type IdempotencyKey struct {
	OrgID, CallerID, Key string
	// Fingerprint identifies the request (method, path and query, body hash, caller).
	Fingerprint string
	// TTL is how long the key and its response are kept.
	TTL time.Duration
	// Wait is how long a repeat waits for a running request with the same key before it is
	// refused (PostgreSQL's lock_timeout on the key's row). On SQLite, one writer at a time, a
	// repeat waits for the writer (busy_timeout) and then replays.
	Wait time.Duration
}

// StoredResponse is a response kept for replays.
type StoredResponse struct {
	Status      int
	ContentType string
	Body        []byte
}

type idempotencyRow struct {
	Fingerprint string
	Status      int
	ContentType string
	Body        []byte
}

type requestTxKey struct{}

// requestTx is the transaction of an Idempotent request, or nil.
func requestTx(ctx context.Context) *gorm.DB {
	tx, _ := ctx.Value(requestTxKey{}).(*gorm.DB)
	return tx
}

// SnapshotTx is ReadTx on a connection of its own, also inside an Idempotent request: one snapshot
// of what is committed, whatever isolation the request's transaction has (a backup reads every
// table of an organization and must see them at one instant).
func (db *DB) SnapshotTx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return db.ReadTx(context.WithValue(ctx, requestTxKey{}, (*gorm.DB)(nil)), fn)
}

// Idempotent answers a request carrying an idempotency key. A key already answered within its TTL
// is replayed (replayed true) if the request is the same, else ErrIdempotencyMismatch. Otherwise
// run executes with a ctx whose store calls share one transaction that holds the key; run's
// response is stored with it and committed when keep is true (a definitive answer), and everything
// is rolled back when keep is false or run fails, so the key stays free for a retry. A kept
// response with an HTTP status of 400 or more is a refusal: whatever run wrote is rolled back and
// only the key and the response are committed.
func (db *DB) Idempotent(ctx context.Context, k IdempotencyKey, run func(ctx context.Context) (resp StoredResponse, keep bool, err error)) (resp StoredResponse, replayed bool, err error) {
	if requestTx(ctx) != nil {
		return StoredResponse{}, false, errors.New("idempotent request inside another")
	}
	// A key answered before needs no transaction, nor the writer lock SQLite's would take.
	if resp, found, err := db.storedResponse(db.gorm.WithContext(ctx), k); err != nil || found {
		return resp, found, err
	}
	var out StoredResponse
	hooks := &txHooks{}
	ctx = context.WithValue(ctx, txHooksKey{}, hooks)
	err = db.transaction(ctx, func(tx *gorm.DB) error {
		claimed, err := db.claimKey(tx, k)
		if err != nil {
			return err
		}
		if !claimed {
			// Answered while this request waited for the key's row: replay it.
			resp, found, err := db.storedResponse(tx, k)
			if err != nil {
				return err
			}
			if !found {
				return ErrIdempotencyInFlight
			}
			out, replayed = resp, true
			return nil
		}
		resp, keep, err := answer(ctx, tx, run)
		out = resp
		if err != nil {
			return err
		}
		if !keep {
			return errRollback
		}
		return tx.Exec(`UPDATE idempotency_keys SET status = ?, content_type = ?, body = ?
			WHERE organization_id = ? AND caller_id = ? AND key = ?`,
			resp.Status, resp.ContentType, resp.Body, k.OrgID, k.CallerID, k.Key).Error
	})
	hooks.end(err == nil)
	if errors.Is(err, errRollback) {
		return out, false, nil
	}
	if isLockTimeout(err) {
		return StoredResponse{}, false, ErrIdempotencyInFlight
	}
	if err != nil {
		return StoredResponse{}, false, err
	}
	return out, replayed, nil
}

// errRollback rolls back a request whose answer is not definitive (a 5xx).
var errRollback = errors.New("not kept")

// storedResponse reads the key's answer, if it has one that has not expired.
func (db *DB) storedResponse(g *gorm.DB, k IdempotencyKey) (StoredResponse, bool, error) {
	var rows []idempotencyRow
	err := g.Raw(`SELECT fingerprint, status, content_type, body FROM idempotency_keys
		WHERE organization_id = ? AND caller_id = ? AND key = ? AND expires_at > ? AND status <> 0`,
		k.OrgID, k.CallerID, k.Key, db.now()).Scan(&rows).Error
	if err != nil {
		return StoredResponse{}, false, fmt.Errorf("read idempotency key: %w", err)
	}
	if len(rows) == 0 {
		return StoredResponse{}, false, nil
	}
	if rows[0].Fingerprint != k.Fingerprint {
		return StoredResponse{}, false, ErrIdempotencyMismatch
	}
	return StoredResponse{Status: rows[0].Status, ContentType: rows[0].ContentType, Body: rows[0].Body}, true, nil
}

// claimKey inserts the key's row in tx, or takes over an expired one. false: the key is held by a
// request that committed while this one waited for its row. On PostgreSQL the insert waits for a
// running request holding the key at most k.Wait (a lock timeout, which Idempotent answers with
// ErrIdempotencyInFlight).
func (db *DB) claimKey(tx *gorm.DB, k IdempotencyKey) (bool, error) {
	now := db.now()
	postgres := db.dialect.Name() == "postgres"
	if postgres && k.Wait > 0 {
		if db.citus {
			// The key's row lives on a worker, where the wait happens: the setting must reach it.
			if err := tx.Exec("SET LOCAL citus.propagate_set_commands = 'local'").Error; err != nil {
				return false, err
			}
		}
		if err := tx.Exec(fmt.Sprintf("SET LOCAL lock_timeout = %d", max(1, k.Wait.Milliseconds()))).Error; err != nil { // 0 would mean no limit
			return false, err
		}
	}
	// An expired key is taken over in place; SweepIdempotencyKeys deletes the others. (Deleting
	// them here would lock rows a long request of the same organization may hold, and make this
	// one wait on them.)
	r := tx.Exec(`INSERT INTO idempotency_keys (organization_id, caller_id, key, fingerprint, status, content_type, body, created_at, expires_at)
		VALUES (@org, @caller, @key, @fp, 0, '', @empty, @now, @expires)
		ON CONFLICT (organization_id, caller_id, key) DO UPDATE SET fingerprint = excluded.fingerprint, status = 0,
		  content_type = '', body = excluded.body, created_at = excluded.created_at, expires_at = excluded.expires_at
		WHERE idempotency_keys.expires_at <= @now`,
		map[string]any{"org": k.OrgID, "caller": k.CallerID, "key": k.Key, "fp": k.Fingerprint, "empty": []byte{}, "now": now, "expires": now.Add(k.TTL)})
	if r.Error != nil {
		return false, fmt.Errorf("claim idempotency key: %w", r.Error)
	}
	if postgres && k.Wait > 0 {
		if err := tx.Exec("SET LOCAL lock_timeout = DEFAULT").Error; err != nil {
			return false, err
		}
	}
	return r.RowsAffected == 1, nil
}

// isLockTimeout reports PostgreSQL's lock_not_available (lock_timeout passed).
func isLockTimeout(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "55P03"
}

// SweepIdempotencyKeys deletes every expired key, across organizations; the service runs it
// periodically (a key reused after it expired is taken over in place by Idempotent).
func (db *DB) SweepIdempotencyKeys(ctx context.Context) (int64, error) {
	var n int64
	err := db.FanOut(ctx, func(tx *gorm.DB) error {
		r := tx.Exec("DELETE FROM idempotency_keys WHERE expires_at <= ?", db.now())
		n = r.RowsAffected
		return r.Error
	})
	return n, err
}

// answer runs a request with a ctx whose store calls join tx, the rule a stored answer and its
// effects commit by: a refusal (a status of 400 or more) changes nothing, so what run wrote is
// rolled back and only what the caller records after it commits. Going back to before the
// request also clears a failed statement the store turned into the refusal (a unique violation),
// which on PostgreSQL aborts the transaction outside a savepoint.
func answer(ctx context.Context, tx *gorm.DB, run func(ctx context.Context) (StoredResponse, bool, error)) (StoredResponse, bool, error) {
	if err := tx.SavePoint("request").Error; err != nil {
		return StoredResponse{}, false, err
	}
	hooks := hooksOf(ctx)
	mark := hooks.mark()
	resp, keep, err := run(context.WithValue(ctx, requestTxKey{}, tx))
	if err != nil || !keep {
		return resp, keep, err
	}
	if resp.Status >= 400 {
		if err := tx.RollbackTo("request").Error; err != nil {
			return resp, false, err
		}
		hooks.rollbackTo(mark)
	}
	return resp, true, nil
}

// Answered runs a request in one transaction, as Idempotent does, without a key: first (in the
// transaction) prepare, then run, whose store calls join it, then record with run's answer. A
// refusal (400 or more) rolls back what run wrote and commits what prepare and record wrote; an
// error from any of them, or a failed commit, leaves nothing. Background operations use it so their
// effects and their final state commit together.
func (db *DB) Answered(ctx context.Context, prepare func(tx *gorm.DB) error, run func(ctx context.Context) (StoredResponse, error), record func(tx *gorm.DB, resp StoredResponse) error) (StoredResponse, error) {
	if requestTx(ctx) != nil {
		return StoredResponse{}, errors.New("answered request inside another")
	}
	var out StoredResponse
	hooks := &txHooks{}
	ctx = context.WithValue(ctx, txHooksKey{}, hooks)
	err := db.transaction(ctx, func(tx *gorm.DB) error {
		if err := prepare(tx); err != nil {
			return err
		}
		resp, _, err := answer(ctx, tx, func(ctx context.Context) (StoredResponse, bool, error) {
			resp, err := run(ctx)
			return resp, true, err
		})
		if err != nil {
			return err
		}
		out = resp
		return record(tx, resp)
	})
	hooks.end(err == nil)
	return out, err
}
