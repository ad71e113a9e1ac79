package operations_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/activity"
	"github.com/deletesvc/deletesvc/store/identity"
	"github.com/deletesvc/deletesvc/store/operations"
	"github.com/deletesvc/deletesvc/store/storetest"
)

// fixture is a queue with one kind, "Write": it records an activity-log entry (an effect, in the
// run's transaction), reports three steps, then answers with the status the request names, or,
// when the request says "block", waits until its run is cancelled.
type fixture struct {
	db      *store.DB
	q       *operations.Queue
	user    identity.User
	org     identity.Organization
	started chan string // operation ids, as their runs start
	runs    atomic.Int32
	gate    chan struct{} // a run whose request says "Gate" waits for it, deaf to cancels
}

func newFixture(t *testing.T, db *store.DB, cfg operations.Config) *fixture {
	t.Helper()
	f := &fixture{db: db, started: make(chan string, 10), gate: make(chan struct{})}
	f.user, f.org = storetest.Tenant(t, db, "owner@example.com")
	cfg.PollInterval = 20 * time.Millisecond
	cfg.Logger = storetest.Logger()
	q, err := operations.New(db, cfg)
	if err != nil {
		t.Fatal(err)
	}
	q.Register("Write", operations.Kind{
		Run: func(ctx context.Context, op operations.Operation) (store.StoredResponse, error) {
			f.runs.Add(1)
			var req struct {
				Status int
				Block  bool
				Gate   bool
			}
			if err := json.Unmarshal(op.Request, &req); err != nil {
				return store.StoredResponse{}, err
			}
			if err := db.Tx(ctx, func(tx *gorm.DB) error {
				return activity.Record(tx, op.OrgID, op.CreatedBy, "test.write", map[string]any{"op": op.ID}, db.Now())
			}); err != nil {
				return store.StoredResponse{}, err
			}
			store.ReportPlan(ctx, 3)
			for range 3 {
				store.ReportStep(ctx, "clients", 10)
			}
			f.started <- op.ID
			if req.Gate {
				<-f.gate
			}
			if req.Block {
				<-ctx.Done()
				return store.StoredResponse{}, ctx.Err()
			}
			return store.StoredResponse{Status: req.Status, ContentType: "application/json", Body: []byte(fmt.Sprintf(`{"status":%d}`, req.Status))}, nil
		},
		Failure: func(r operations.Reason) store.StoredResponse {
			return store.StoredResponse{Status: 599, ContentType: "application/json", Body: []byte(fmt.Sprintf(`{"reason":%d}`, r))}
		},
	})
	f.q = q
	return f
}

func (f *fixture) start(t *testing.T) {
	t.Helper()
	if err := f.q.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = f.q.Stop(ctx)
	})
}

func (f *fixture) submit(t *testing.T, status int, block bool) operations.Operation {
	t.Helper()
	return f.submitRequest(t, map[string]any{"Status": status, "Block": block})
}

// submitGated queues a run that answers 200 once the test closes f.gate, deaf to cancels.
func (f *fixture) submitGated(t *testing.T) operations.Operation {
	t.Helper()
	return f.submitRequest(t, map[string]any{"Status": 200, "Gate": true})
}

func (f *fixture) submitRequest(t *testing.T, request map[string]any) operations.Operation {
	t.Helper()
	req, _ := json.Marshal(request)
	op, err := f.q.Submit(context.Background(), f.org.ID, "Write", f.user.ID, req)
	if err != nil {
		t.Fatal(err)
	}
	if op.State != operations.Queued {
		t.Fatalf("submitted operation is %s", op.State)
	}
	return op
}

// set changes operation id's row as a test arranges it (SQL assignments).
func (f *fixture) set(t *testing.T, id, assignments string) {
	t.Helper()
	storetest.Exec(t, f.db, fmt.Sprintf("UPDATE operations SET %s WHERE organization_id = '%s' AND id = '%s'", assignments, f.org.ID, id))
}

// final polls the operation until it has ended.
func (f *fixture) final(t *testing.T, id string) operations.Operation {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		op, err := f.q.Get(context.Background(), f.org.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		if op.Final() {
			return op
		}
		if time.Now().After(deadline) {
			t.Fatalf("operation still %s", op.State)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// effects counts the entries runs wrote for operation id (committed ones only).
func (f *fixture) effects(t *testing.T, id string) int64 {
	t.Helper()
	var n int64
	if err := f.db.Gorm(context.Background()).Raw("SELECT count(*) FROM ub_activity_logs WHERE organization_id = ? AND action = ? AND details LIKE ?",
		f.org.ID, "test.write", "%"+id+"%").Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestASucceededRunCommitsItsEffectsAndAnswer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, operations.Config{})
		f.start(t)
		op := f.final(t, f.submit(t, 201, false).ID)
		if op.State != operations.Succeeded || op.Answer.Status != 201 || string(op.Answer.Body) != `{"status":201}` {
			t.Fatalf("operation: %+v", op)
		}
		if op.StartedAt == nil || op.FinishedAt == nil || op.FinishedAt.Before(*op.StartedAt) {
			t.Fatalf("times: %v %v", op.StartedAt, op.FinishedAt)
		}
		if op.Progress.Steps != 3 || op.Progress.StepsDone != 3 || op.Progress.Categories["clients"] != 30 {
			t.Fatalf("progress: %+v", op.Progress)
		}
		if n := f.effects(t, op.ID); n != 1 {
			t.Fatalf("%d effects committed, want 1", n)
		}
	})
}

func TestARefusalKeepsTheAnswerAndNoEffect(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, operations.Config{})
		f.start(t)
		op := f.final(t, f.submit(t, 409, false).ID)
		if op.State != operations.Failed || op.Answer.Status != 409 {
			t.Fatalf("operation: %+v", op)
		}
		if n := f.effects(t, op.ID); n != 0 {
			t.Fatalf("a refused run committed %d effects", n)
		}
	})
}

func TestCancellingARunningOperationRollsItBack(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, operations.Config{})
		f.start(t)
		op := f.submit(t, 200, true)
		<-f.started
		running, err := f.q.Get(context.Background(), f.org.ID, op.ID)
		if err != nil || running.State != operations.Running || running.Progress.StepsDone != 3 {
			t.Fatalf("while it runs: %+v %v", running, err)
		}
		got, err := f.q.Cancel(context.Background(), f.org.ID, op.ID)
		if err != nil || !got.CancelRequested {
			t.Fatalf("cancel: %+v %v", got, err)
		}
		done := f.final(t, op.ID)
		if done.State != operations.Cancelled || done.Answer.Status != 599 || string(done.Answer.Body) != fmt.Sprintf(`{"reason":%d}`, operations.ReasonCancelled) {
			t.Fatalf("after cancel: %+v", done)
		}
		if n := f.effects(t, op.ID); n != 0 {
			t.Fatalf("a cancelled run committed %d effects", n)
		}
		if _, err := f.q.Cancel(context.Background(), f.org.ID, op.ID); err != nil {
			t.Fatalf("cancelling it again: %v", err)
		}
	})
}

func TestCancellingAQueuedOperationMeansItNeverRuns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, operations.Config{})
		op := f.submit(t, 200, false)
		got, err := f.q.Cancel(context.Background(), f.org.ID, op.ID)
		if err != nil || got.State != operations.Cancelled {
			t.Fatalf("cancel: %+v %v", got, err)
		}
		f.start(t)
		later := f.final(t, f.submit(t, 200, false).ID) // runs after the cancelled one would have
		if later.State != operations.Succeeded {
			t.Fatalf("the next operation: %+v", later)
		}
		if got, _ := f.q.Get(context.Background(), f.org.ID, op.ID); got.State != operations.Cancelled || f.effects(t, op.ID) != 0 || f.runs.Load() != 1 {
			t.Fatalf("the cancelled operation: %+v, %d runs", got, f.runs.Load())
		}
	})
}

func TestAFinishedOperationCannotBeCancelled(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, operations.Config{})
		f.start(t)
		op := f.final(t, f.submit(t, 200, false).ID)
		if _, err := f.q.Cancel(context.Background(), f.org.ID, op.ID); !errors.Is(err, operations.ErrFinished) {
			t.Fatalf("cancel a succeeded operation: %v", err)
		}
		if _, err := f.q.Get(context.Background(), f.org.ID, store.NewObjectID()); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown id: %v", err)
		}
	})
}

func TestARunPastTheTimeoutFailsRolledBack(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, operations.Config{Timeout: 500 * time.Millisecond})
		f.start(t)
		op := f.final(t, f.submit(t, 200, true).ID)
		if op.State != operations.Failed || string(op.Answer.Body) != fmt.Sprintf(`{"reason":%d}`, operations.ReasonTimedOut) {
			t.Fatalf("operation: %+v", op)
		}
		if n := f.effects(t, op.ID); n != 0 {
			t.Fatalf("a timed-out run committed %d effects", n)
		}
	})
}

// A run that vanished (its process died: its transaction rolled back, its row still says
// running) is reported failed: at the next start on SQLite, whose one process it was; on
// PostgreSQL as soon as someone reads it and no run holds it.
func TestAnInterruptedRunIsReportedFailed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, operations.Config{})
		op := f.submit(t, 200, false)
		// What a dead run leaves: the row marked running a while ago, no effect, no lock.
		f.set(t, op.ID, "state = 'running', started_at = '2020-01-01 00:00:00'")
		if db.DialectName() == "sqlite" {
			f.start(t)
		}
		got := f.final(t, op.ID)
		if got.State != operations.Failed || string(got.Answer.Body) != fmt.Sprintf(`{"reason":%d}`, operations.ReasonInterrupted) {
			t.Fatalf("interrupted operation: %+v", got)
		}
		if f.runs.Load() != 0 || f.effects(t, op.ID) != 0 {
			t.Fatalf("it ran again: %d runs", f.runs.Load())
		}
	})
}

// On PostgreSQL a run that is alive holds its operation: reading it while it runs, long after
// it started, does not fail it.
func TestALiveRunIsNotReaped(t *testing.T) {
	storetest.OnlyPostgres(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, operations.Config{})
		f.start(t)
		op := f.submit(t, 200, true)
		<-f.started
		f.set(t, op.ID, "started_at = '2020-01-01 00:00:00'")
		if got, err := f.q.Get(context.Background(), f.org.ID, op.ID); err != nil || got.State != operations.Running {
			t.Fatalf("live run: %+v %v", got, err)
		}
		if _, err := f.q.Cancel(context.Background(), f.org.ID, op.ID); err != nil {
			t.Fatal(err)
		}
		f.final(t, op.ID)
	})
}

// On PostgreSQL a run's progress reaches its row while it runs, so every instance shows it, not
// only the one running it; and any instance can cancel it (River tells the one running it).
func TestProgressIsVisibleToOtherInstances(t *testing.T) {
	storetest.OnlyPostgres(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, operations.Config{})
		f.start(t)
		op := f.submit(t, 200, true)
		<-f.started
		other, err := operations.New(db, operations.Config{Logger: storetest.Logger()})
		if err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(5 * time.Second)
		for {
			got, err := other.Get(context.Background(), f.org.ID, op.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.State == operations.Running && got.Progress.Steps == 3 && got.Progress.StepsDone >= 1 && got.Progress.Categories["clients"] >= 10 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("another instance sees %s with progress %+v", got.State, got.Progress)
			}
			time.Sleep(50 * time.Millisecond)
		}
		got, err := other.Cancel(context.Background(), f.org.ID, op.ID)
		if err != nil || !got.CancelRequested {
			t.Fatalf("cancel from another instance: %+v %v", got, err)
		}
		if done := f.final(t, op.ID); done.State != operations.Cancelled || f.effects(t, op.ID) != 0 {
			t.Fatalf("after a cancel from another instance: %+v", done)
		}
	})
}

// Ended operations past the retention are swept; newer ones and running ones stay.
func TestSweepDeletesEndedOperationsPastRetention(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, operations.Config{Retention: time.Hour})
		f.start(t)
		// The queue sweeps once when it starts; that sweep must be over before the test ages the
		// old operation, or it may delete it before the Sweep under test does.
		deadline := time.Now().Add(time.Minute)
		for {
			var swept int64
			err := db.Gorm(context.Background()).Raw("SELECT count(*) FROM river_job WHERE kind = ? AND state = ?", "operations.sweep", "completed").Scan(&swept).Error
			if err != nil {
				t.Fatal(err)
			}
			if swept > 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the sweep on start has not completed")
			}
			time.Sleep(20 * time.Millisecond)
		}
		old := f.final(t, f.submit(t, 200, false).ID)
		recent := f.final(t, f.submit(t, 409, false).ID)
		running := f.submit(t, 200, true)
		<-f.started
		f.set(t, old.ID, "finished_at = '2020-01-01 00:00:00'")
		f.set(t, running.ID, "started_at = '2020-01-01 00:00:00'")
		n, err := f.q.Sweep(context.Background())
		if err != nil || n != 1 {
			t.Fatalf("swept %d, %v; want 1", n, err)
		}
		if _, err := f.q.Get(context.Background(), f.org.ID, old.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("the old operation: %v", err)
		}
		for _, id := range []string{recent.ID, running.ID} {
			if _, err := f.q.Get(context.Background(), f.org.ID, id); err != nil {
				t.Fatalf("operation %s: %v", id, err)
			}
		}
		if _, err := f.q.Cancel(context.Background(), f.org.ID, running.ID); err != nil {
			t.Fatal(err)
		}
		f.final(t, running.ID)
	})
}

// A cancel accepted while the run works wins at commit even when its signal never reaches the run
// (the run here ignores its context): the operation ends cancelled and nothing of it is applied.
func TestAnAcceptedCancelWinsAtCommit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, operations.Config{})
		f.start(t)
		op := f.submitGated(t)
		<-f.started
		if db.DialectName() != "sqlite" { // SQLite's write lock is the run's until it ends
			// What another instance's Cancel writes when River's signal is lost.
			f.set(t, op.ID, "cancel_requested = true")
		} else if _, err := f.q.Cancel(context.Background(), f.org.ID, op.ID); err != nil {
			t.Fatal(err)
		}
		close(f.gate)
		done := f.final(t, op.ID)
		if done.State != operations.Cancelled || f.effects(t, op.ID) != 0 {
			t.Fatalf("after a cancel the run did not hear: %+v, %d effects", done, f.effects(t, op.ID))
		}
	})
}

// On SQLite a run holds the one write lock while it works; reading operations meanwhile stays
// quick (River's own writes wait on a pool of their own, not the service's connections).
func TestReadsStayQuickWhileARunHoldsSQLite(t *testing.T) {
	t.Parallel()
	db := storetest.DB(t, storetest.SQLite)
	f := newFixture(t, db, operations.Config{})
	f.start(t)
	op := f.submitGated(t)
	<-f.started
	var worst time.Duration
	for range 8 {
		time.Sleep(time.Second)
		t0 := time.Now()
		if _, err := f.q.Get(context.Background(), f.org.ID, op.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.q.List(context.Background(), f.org.ID, 1, 10); err != nil {
			t.Fatal(err)
		}
		worst = max(worst, time.Since(t0))
	}
	close(f.gate)
	if got := f.final(t, op.ID); got.State != operations.Succeeded {
		t.Fatalf("operation: %+v", got)
	}
	if worst > time.Second {
		t.Fatalf("a read waited %v while the run held the write lock", worst)
	}
}
