// Package operations runs calls in the background (Prefer: respond-async) and keeps their record.
//
// The record of an operation is a row of the operations table (a tenant table): its state, its
// progress and the answer the call would have given synchronously. River
// (github.com/riverqueue/river) dispatches it: a job inserted in the same transaction as the row,
// so an accepted operation is never lost, taken by one worker of one service instance, cancelled
// (River delivers a cancel to whichever instance runs it) and rescued after a crash.
//
// One rule makes an operation whole or nothing: the run's effects and its final state commit in
// one transaction (store.DB.Answered). A run that never commits (crash, cancel, timeout, shutdown)
// applied nothing, and its row is then marked failed or cancelled.
package operations

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"gorm.io/gorm"

	"github.com/deletesvc/deletesvc/store"
)

// States of an operation.
const (
	Queued    = "queued"
	Running   = "running"
	Succeeded = "succeeded"
	Failed    = "failed"
	Cancelled = "cancelled"
)

var (
	// ErrFinished: the operation has succeeded or failed, so it cannot be cancelled.
	ErrFinished = errors.New("operation has already finished")
	// ErrUnknownKind: no runner is registered for the kind.
	ErrUnknownKind = errors.New("unknown operation kind")
)

// Operation is one background call.
type Operation struct {
	ID, OrgID       string
	Kind            string // the operationId of the call
	State           string
	CancelRequested bool
	CreatedBy       string
	// Request is the call as its runner needs it, opaque here.
	Request  []byte
	Progress Progress
	// Answer is the call's status and body once it has ended (Status 0 before).
	Answer     store.StoredResponse
	CreatedAt  time.Time
	StartedAt  *time.Time
	FinishedAt *time.Time

	jobID int64 // River's job that runs it
}

// Final reports whether the operation has ended.
func (o Operation) Final() bool {
	return o.State == Succeeded || o.State == Failed || o.State == Cancelled
}

// Progress is how far a run has got.
type Progress struct {
	Steps      int              `json:"steps"`
	StepsDone  int              `json:"stepsDone"`
	Categories map[string]int64 `json:"categories"`
}

// Kind is one kind of call that can run in the background.
type Kind struct {
	// Run runs the call from its operation's Request. Its store calls join the transaction the
	// final state is written in; its answer is what the call answers synchronously. An error is
	// a failure without an answer of the call's own (answered with Failure(ReasonInternal)).
	Run func(ctx context.Context, op Operation) (store.StoredResponse, error)
	// Failure is the answer of a run that ended without one of the call's own, in the family's
	// error shape.
	Failure func(Reason) store.StoredResponse
}

// Reason is why a run ended without an answer of its own; nothing of it was applied.
type Reason int

// The reasons.
const (
	ReasonInternal    Reason = iota // the run failed inside (a 5xx)
	ReasonInterrupted               // the service stopped or crashed while it ran
	ReasonTimedOut                  // it took longer than Config.Timeout
	ReasonCancelled                 // CancelOperation
)

// Config tunes a Queue.
type Config struct {
	// Timeout is the longest a run may take; it is then cancelled and rolled back (failed).
	Timeout time.Duration
	// Workers is how many operations one instance runs at once.
	Workers int
	// PollInterval is how often an idle instance looks for queued operations.
	PollInterval time.Duration
	// Retention is how long an ended operation is kept; 0 keeps them. One instance (River's
	// leader) sweeps them hourly.
	Retention time.Duration
	Logger    *slog.Logger
}

// Defaults for a zero Config.
const (
	DefaultTimeout      = 30 * time.Minute
	DefaultWorkers      = 2
	DefaultPollInterval = time.Second
)

// Queue accepts, runs and reports operations.
type Queue struct {
	db       *store.DB
	cfg      Config
	client   *river.Client[*sql.Tx] // writes jobs (insert, cancel)
	runner   *river.Client[*sql.Tx] // runs them, from Start on
	listener *pgxpool.Pool          // PostgreSQL: the runner's LISTEN connection
	side     *sql.DB                // SQLite: the runner's own pool (see Start)
	kinds    map[string]Kind

	mu      sync.Mutex
	running map[string]*run // by operation id, the runs of this instance
	done    map[string]int64
}

// New builds a queue on db; register runners, then Start it. An unstarted queue accepts
// operations (they wait, queued, for an instance that runs them).
func New(db *store.DB, cfg Config) (*Queue, error) {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Workers <= 0 {
		cfg.Workers = DefaultWorkers
	}
	if db.DialectName() == "sqlite" {
		cfg.Workers = 1 // one writer: a second run would only wait for the first, holding a connection
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = DefaultPollInterval
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	q := &Queue{db: db, cfg: cfg, kinds: map[string]Kind{}, running: map[string]*run{}, done: map[string]int64{}}
	pool, err := db.SQL()
	if err != nil {
		return nil, err
	}
	driver := q.driver(pool, nil)
	// Accepting and cancelling need no workers: this client only writes jobs (Start makes the
	// one that runs them).
	if q.client, err = river.NewClient(driver, &river.Config{Logger: q.riverLogger()}); err != nil {
		return nil, fmt.Errorf("operations: %w", err)
	}
	return q, nil
}

// driver is River's driver on pool; on PostgreSQL with listener (when not nil) for LISTEN.
func (q *Queue) driver(pool *sql.DB, listener *pgxpool.Pool) riverdriver.Driver[*sql.Tx] {
	switch {
	case q.db.DialectName() == "sqlite":
		return riversqlite.New(pool) // its notifications go through a table it polls
	case listener != nil:
		return riverdatabasesql.NewWithPgxListener(pool, listener)
	}
	return riverdatabasesql.New(pool)
}

// River's own logs are about the queue's machinery; only its warnings matter here.
func (q *Queue) riverLogger() *slog.Logger { return slog.New(warnOnly{q.cfg.Logger.Handler()}) }

// Register makes the kind named name runnable; call it before Start.
func (q *Queue) Register(name string, k Kind) { q.kinds[name] = k }

// Start begins running operations. On SQLite, where one process has the database, an operation
// found running was interrupted by this process's previous life: it is marked failed first.
func (q *Queue) Start(ctx context.Context) error {
	pool, err := q.db.SQL()
	if err != nil {
		return err
	}
	if q.db.DialectName() == "sqlite" {
		if err := q.db.Tx(ctx, func(tx *gorm.DB) error {
			return q.failInterrupted(tx, "", nil)
		}); err != nil {
			return fmt.Errorf("operations: %w", err)
		}
		// A run holds SQLite's one write lock for as long as it works. River's own writes
		// (fetching, completing, electing a leader) go through a pool of their own that gives up
		// on the lock quickly and retries, so they never hold the service's connections waiting
		// for it (reads of the operation, other requests).
		if q.side, err = q.db.SQLiteSidePool(250*time.Millisecond, 2); err != nil {
			return fmt.Errorf("operations: %w", err)
		}
		pool = q.side
	} else {
		// One pgx connection LISTENs (jobs are written in the service's own database/sql
		// transactions), so this instance takes a new operation, or a cancel, at once rather
		// than at its next poll.
		lc, err := pgxpool.ParseConfig(q.db.URL())
		if err != nil {
			return fmt.Errorf("operations: %w", err)
		}
		lc.MaxConns, lc.MinConns = 1, 0
		if q.listener, err = pgxpool.NewWithConfig(ctx, lc); err != nil {
			return fmt.Errorf("operations: %w", err)
		}
	}
	driver := q.driver(pool, q.listener)
	workers := river.NewWorkers()
	river.AddWorker(workers, &worker{q: q})
	var periodic []*river.PeriodicJob
	if q.cfg.Retention > 0 {
		river.AddWorker(workers, river.WorkFunc(func(ctx context.Context, _ *river.Job[sweepArgs]) error {
			n, err := q.Sweep(ctx)
			if n > 0 {
				q.cfg.Logger.InfoContext(ctx, "swept ended operations", "operations", n)
			}
			return err
		}))
		periodic = append(periodic, river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
			func() (river.JobArgs, *river.InsertOpts) { return sweepArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true}))
	}
	q.runner, err = river.NewClient(driver, &river.Config{
		PeriodicJobs: periodic,
		Queues:       map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: q.cfg.Workers}},
		Workers:      workers,
		JobTimeout:   q.cfg.Timeout,
		// A job still marked running this long after its run began lost its instance (the run was
		// cancelled at Timeout): River makes it available again, and that attempt finds it.
		RescueStuckJobsAfter: q.cfg.Timeout + time.Minute,
		FetchPollInterval:    q.cfg.PollInterval,
		FetchCooldown:        min(q.cfg.PollInterval, 100*time.Millisecond),
		Logger:               q.riverLogger(),
	})
	if err == nil {
		// Runs end through Stop (graceful first), not when the caller's ctx ends.
		err = q.runner.Start(context.WithoutCancel(ctx))
	}
	if err != nil {
		q.closePools()
		q.runner = nil
		return fmt.Errorf("operations: %w", err)
	}
	return nil
}

// Stop lets running operations finish until ctx is done, then cancels them (they fail, rolled
// back).
func (q *Queue) Stop(ctx context.Context) error {
	if q.runner == nil {
		return nil
	}
	defer q.closePools()
	if err := q.runner.Stop(ctx); err == nil || !errors.Is(err, ctx.Err()) {
		return err
	}
	stop, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	return q.runner.StopAndCancel(stop)
}

// closePools closes the runner's own connections.
func (q *Queue) closePools() {
	if q.listener != nil {
		q.listener.Close()
	}
	if q.side != nil {
		_ = q.side.Close()
	}
}

// sweepArgs is River's periodic job that deletes ended operations past Config.Retention.
type sweepArgs struct{}

func (sweepArgs) Kind() string { return "operations.sweep" }

// Sweep deletes the operations that ended more than Config.Retention ago, across organizations.
func (q *Queue) Sweep(ctx context.Context) (int64, error) {
	var n int64
	err := q.db.FanOut(ctx, func(tx *gorm.DB) error {
		r := tx.Exec("DELETE FROM operations WHERE state IN (?, ?, ?) AND finished_at < ?",
			Succeeded, Failed, Cancelled, q.db.Now().Add(-q.cfg.Retention))
		n = r.RowsAffected
		return r.Error
	})
	if err != nil {
		return 0, fmt.Errorf("sweep operations: %w", err)
	}
	return n, nil
}

// jobArgs is River's job: which operation to run.
type jobArgs struct {
	OrgID string `json:"org"`
	ID    string `json:"id"`
}

func (jobArgs) Kind() string { return "operation" }

// InsertOpts: a job is attempted again only when River rescues it after its run vanished (the
// instance crashed); that attempt marks the operation failed.
func (jobArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 2} }

type worker struct {
	river.WorkerDefaults[jobArgs]
	q *Queue
}

func (w *worker) Work(ctx context.Context, job *river.Job[jobArgs]) error {
	return w.q.work(ctx, job.Args)
}

// row is an operations row.
type row struct {
	OrganizationID  string
	ID              string
	Kind            string
	State           string
	CancelRequested bool
	CreatedBy       string
	Request         []byte
	Progress        string
	Status          int
	ContentType     string
	Body            []byte
	JobID           int64
	Attempt         int
	CreatedAt       time.Time
	StartedAt       *time.Time
	FinishedAt      *time.Time
}

func (row) TableName() string { return "operations" }

func (r row) operation() Operation {
	op := Operation{ID: r.ID, OrgID: r.OrganizationID, Kind: r.Kind, State: r.State, CancelRequested: r.CancelRequested,
		CreatedBy: r.CreatedBy, Request: r.Request, CreatedAt: r.CreatedAt.UTC(), StartedAt: utc(r.StartedAt), FinishedAt: utc(r.FinishedAt), jobID: r.JobID}
	_ = json.Unmarshal([]byte(r.Progress), &op.Progress)
	if op.Progress.Categories == nil {
		op.Progress.Categories = map[string]int64{}
	}
	if r.Status != 0 {
		op.Answer = store.StoredResponse{Status: r.Status, ContentType: r.ContentType, Body: r.Body}
	}
	return op
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// Submit accepts an operation: its row and its job are written in one transaction (ctx's, inside
// an Idempotent request, so the key, the row and the job commit together).
func (q *Queue) Submit(ctx context.Context, orgID, kind, createdBy string, request []byte) (Operation, error) {
	if _, ok := q.kinds[kind]; !ok {
		return Operation{}, fmt.Errorf("%w: %s", ErrUnknownKind, kind)
	}
	r := row{OrganizationID: orgID, ID: store.NewObjectID(), Kind: kind, State: Queued, CreatedBy: createdBy,
		Request: request, Progress: `{"steps":0,"stepsDone":0,"categories":{}}`, Body: []byte{}, CreatedAt: q.db.Now()}
	err := q.db.Tx(ctx, func(tx *gorm.DB) error {
		sqlTx, ok := tx.Statement.ConnPool.(*sql.Tx)
		if !ok {
			return errors.New("operations: not in a database/sql transaction")
		}
		job, err := q.client.InsertTx(ctx, sqlTx, jobArgs{OrgID: orgID, ID: r.ID}, nil)
		if err != nil {
			return fmt.Errorf("queue operation: %w", err)
		}
		r.JobID = job.Job.ID
		if err := tx.Create(&r).Error; err != nil {
			return fmt.Errorf("record operation: %w", err)
		}
		return nil
	})
	if err != nil {
		return Operation{}, err
	}
	return r.operation(), nil
}

// Get reads one operation of the organization (store.ErrNotFound if it has none of that id). On
// PostgreSQL an operation whose run has vanished is marked failed first (reap).
func (q *Queue) Get(ctx context.Context, orgID, id string) (Operation, error) {
	if err := q.reap(ctx, orgID); err != nil {
		return Operation{}, err
	}
	return q.read(ctx, orgID, id)
}

// read is Get without the reap.
func (q *Queue) read(ctx context.Context, orgID, id string) (Operation, error) {
	var r row
	err := q.db.Gorm(ctx).Where("organization_id = ? AND id = ?", orgID, id).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Operation{}, store.ErrNotFound
	}
	if err != nil {
		return Operation{}, fmt.Errorf("read operation: %w", err)
	}
	return q.live(r.operation()), nil
}

// List reads one page of the organization's operations, newest first, and how many it has.
func (q *Queue) List(ctx context.Context, orgID string, pageNo, pageSize int) ([]Operation, int64, error) {
	if err := q.reap(ctx, orgID); err != nil {
		return nil, 0, err
	}
	var rows []row
	var total int64
	err := q.db.ReadTx(ctx, func(tx *gorm.DB) error {
		if err := tx.Model(&row{}).Where("organization_id = ?", orgID).Count(&total).Error; err != nil {
			return err
		}
		return tx.Where("organization_id = ?", orgID).Order("created_at DESC, id DESC").
			Offset((pageNo - 1) * pageSize).Limit(pageSize).Find(&rows).Error
	})
	if err != nil {
		return nil, 0, fmt.Errorf("list operations: %w", err)
	}
	out := make([]Operation, len(rows))
	for i, r := range rows {
		out[i] = q.live(r.operation())
	}
	return out, total, nil
}

// live adds what this instance knows of a run that its row does not have yet: its progress (on
// SQLite only here: the run holds the one write lock) and a cancel it was asked for.
func (q *Queue) live(op Operation) Operation {
	if op.State != Running {
		return op
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if r := q.running[op.ID]; r != nil {
		op.Progress = r.progress()
		op.CancelRequested = op.CancelRequested || r.cancelRequested
	}
	return op
}

// Cancel cancels an operation: a queued one at once, a running one by cancelling its run, which
// rolls back and marks it cancelled. ErrFinished for one that succeeded or failed; a cancelled
// one is returned as it is.
func (q *Queue) Cancel(ctx context.Context, orgID, id string) (Operation, error) {
	op, err := q.Get(ctx, orgID, id)
	if err != nil {
		return Operation{}, err
	}
	switch op.State {
	case Cancelled:
		return op, nil
	case Succeeded, Failed:
		return op, ErrFinished
	}
	// A run of this instance stops at once, without a write (on SQLite the run holds the one
	// write lock, so a write would wait for it).
	q.mu.Lock()
	local := q.running[op.ID]
	if local != nil {
		local.cancelRequested = true
		local.cancel(errCancelled)
	}
	q.mu.Unlock()
	if local != nil {
		op.CancelRequested = true
		return op, nil
	}
	err = q.db.Tx(ctx, func(tx *gorm.DB) error {
		now := q.db.Now()
		r := tx.Exec(`UPDATE operations SET cancel_requested = ?,
			state = CASE WHEN state = ? THEN ? ELSE state END,
			finished_at = CASE WHEN state = ? THEN ? ELSE finished_at END
			WHERE organization_id = ? AND id = ? AND state IN (?, ?)`,
			true, Queued, Cancelled, Queued, now, orgID, id, Queued, Running)
		if r.Error != nil {
			return r.Error
		}
		sqlTx, ok := tx.Statement.ConnPool.(*sql.Tx)
		if !ok {
			return errors.New("operations: not in a database/sql transaction")
		}
		// River removes a queued job and tells the instance running a started one to cancel it.
		_, err := q.client.JobCancelTx(ctx, sqlTx, op.jobID)
		return err
	})
	if err != nil {
		return Operation{}, fmt.Errorf("cancel operation: %w", err)
	}
	op, err = q.read(ctx, orgID, id)
	if err == nil && (op.State == Succeeded || op.State == Failed) {
		return op, ErrFinished // it ended between the read and the update
	}
	return op, err
}

// errCancelled is the cause of a run cancelled by Cancel in this instance.
var errCancelled = errors.New("operation cancelled")

// run is one operation running in this instance.
type run struct {
	cancel          context.CancelCauseFunc
	cancelRequested bool

	mu     sync.Mutex
	prog   Progress
	kind   string
	q      *Queue
	op     Operation
	saved  time.Time // when progress was last written to the row (zero: never, so the first step is)
	saving bool
}

func (r *run) progress() Progress {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.prog
	p.Categories = make(map[string]int64, len(r.prog.Categories))
	for k, v := range r.prog.Categories {
		p.Categories[k] = v
	}
	return p
}

// Plan, Step and Rows make run the store's store.Progress.
func (r *run) Plan(steps int) {
	r.mu.Lock()
	r.prog.Steps = steps
	r.mu.Unlock()
}

func (r *run) Step(category string, rows int64) { r.add(1, category, rows) }

func (r *run) Rows(category string, rows int64) { r.add(0, category, rows) }

func (r *run) add(steps int, category string, rows int64) {
	r.mu.Lock()
	r.prog.StepsDone += steps
	if category != "" {
		r.prog.Categories[category] += rows
	}
	save := r.q.db.DialectName() == "postgres" && !r.saving && time.Since(r.saved) >= saveEvery
	r.saving = r.saving || save
	r.mu.Unlock()
	r.q.mu.Lock()
	r.q.done[r.kind] += rows
	r.q.mu.Unlock()
	if save {
		go r.save()
	}
}

// saveEvery spaces the progress writes of a run.
const saveEvery = 500 * time.Millisecond

// save writes the run's progress to its row, outside the run's transaction, so every instance
// can show it. PostgreSQL only: on SQLite the run holds the one write lock, and the one process
// that can run it shows its progress from memory (live).
func (r *run) save() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	p, err := json.Marshal(r.progress())
	if err == nil {
		err = r.q.db.Gorm(ctx).Exec("UPDATE operations SET progress = ? WHERE organization_id = ? AND id = ? AND state = ?",
			string(p), r.op.OrgID, r.op.ID, Running).Error
	}
	if err != nil {
		r.q.cfg.Logger.Warn("save operation progress", "operation", r.op.ID, "error", err)
	}
	r.mu.Lock()
	r.saving, r.saved = false, time.Now()
	r.mu.Unlock()
}

// work runs the operation a job names.
func (q *Queue) work(ctx context.Context, a jobArgs) error {
	op, started, err := q.start(ctx, a)
	if err != nil {
		// The database is busy (SQLite's one writer held by a long call) or away: try again
		// later without using up an attempt (River does not count a snooze).
		q.cfg.Logger.WarnContext(ctx, "operation not started, retrying", "operation", a.ID, "error", err)
		return river.JobSnooze(time.Second)
	}
	if !started {
		return nil
	}
	kind, ok := q.kinds[op.Kind]
	if !ok {
		return fmt.Errorf("%w: %s", ErrUnknownKind, op.Kind)
	}
	runCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	r := &run{cancel: cancel, kind: op.Kind, q: q, op: op, prog: Progress{Categories: map[string]int64{}}}
	q.mu.Lock()
	q.running[op.ID] = r
	q.mu.Unlock()
	defer func() {
		q.mu.Lock()
		delete(q.running, op.ID)
		q.mu.Unlock()
	}()

	_, err = q.db.Answered(runCtx, func(tx *gorm.DB) error {
		return q.hold(tx, op)
	}, func(ctx context.Context) (store.StoredResponse, error) {
		return kind.Run(store.WithProgress(ctx, r), op)
	}, func(tx *gorm.DB, resp store.StoredResponse) error {
		state := Succeeded
		if resp.Status >= 400 {
			state = Failed
		}
		return q.finish(tx, op, state, resp, r.progress())
	})
	if err == nil || errors.Is(err, errNotRunning) {
		return nil
	}
	// Nothing of the run was applied: say why.
	switch cause := context.Cause(runCtx); {
	case errors.Is(err, errCancelled), errors.Is(cause, errCancelled), errors.Is(cause, river.ErrJobCancelledRemotely):
		return q.fail(ctx, op, Cancelled, kind.Failure(ReasonCancelled))
	case errors.Is(runCtx.Err(), context.DeadlineExceeded):
		return q.fail(ctx, op, Failed, kind.Failure(ReasonTimedOut))
	case runCtx.Err() != nil:
		return q.fail(ctx, op, Failed, kind.Failure(ReasonInterrupted))
	}
	q.cfg.Logger.ErrorContext(ctx, "operation failed", "operation", op.ID, "kind", op.Kind, "error", err)
	return q.fail(ctx, op, Failed, kind.Failure(ReasonInternal))
}

// start marks a queued operation running. started false: there is nothing to run (cancelled or
// ended), or the operation was already running, which means an earlier run vanished without
// committing (River attempts a job again only after rescuing it): it is marked failed.
func (q *Queue) start(ctx context.Context, a jobArgs) (Operation, bool, error) {
	var r row
	started := false
	err := q.db.Tx(ctx, func(tx *gorm.DB) error {
		now := q.db.Now()
		res := tx.Exec("UPDATE operations SET state = ?, started_at = ?, attempt = attempt + 1 WHERE organization_id = ? AND id = ? AND state = ?",
			Running, now, a.OrgID, a.ID, Queued)
		if res.Error != nil {
			return res.Error
		}
		started = res.RowsAffected == 1
		if err := tx.Where("organization_id = ? AND id = ?", a.OrgID, a.ID).Take(&r).Error; err != nil {
			return err
		}
		if !started && r.State == Running {
			return q.failInterrupted(tx, a.OrgID, []string{a.ID})
		}
		return nil
	})
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Operation{}, false, nil // its organization's data is gone
	}
	if err != nil {
		return Operation{}, false, fmt.Errorf("start operation: %w", err)
	}
	return r.operation(), started, nil
}

// finish writes the final state, in the run's transaction.
func (q *Queue) finish(tx *gorm.DB, op Operation, state string, resp store.StoredResponse, p Progress) error {
	prog, err := json.Marshal(p)
	if err != nil {
		return err
	}
	// A cancel accepted while the run worked wins even if its signal did not reach the run: the
	// row lock orders this update against Cancel's.
	r := tx.Exec(`UPDATE operations SET state = ?, status = ?, content_type = ?, body = ?, progress = ?, finished_at = ?
		WHERE organization_id = ? AND id = ? AND state = ? AND NOT cancel_requested`,
		state, resp.Status, resp.ContentType, resp.Body, string(prog), q.db.Now(), op.OrgID, op.ID, Running)
	if r.Error != nil {
		return fmt.Errorf("finish operation: %w", r.Error)
	}
	if r.RowsAffected == 1 {
		return nil
	}
	var cancelRequested bool
	if err := tx.Raw("SELECT cancel_requested FROM operations WHERE organization_id = ? AND id = ?", op.OrgID, op.ID).Scan(&cancelRequested).Error; err != nil {
		return err
	}
	if cancelRequested {
		return errCancelled
	}
	// Marked failed meanwhile (reap found no sign of this run): its effects must not commit.
	return errNotRunning
}

// fail records the end of a run that applied nothing, in a transaction of its own.
func (q *Queue) fail(ctx context.Context, op Operation, state string, resp store.StoredResponse) error {
	ctx = context.WithoutCancel(ctx)
	err := q.db.Tx(ctx, func(tx *gorm.DB) error {
		return tx.Exec(`UPDATE operations SET state = ?, status = ?, content_type = ?, body = ?, finished_at = ?
			WHERE organization_id = ? AND id = ? AND state IN (?, ?)`,
			state, resp.Status, resp.ContentType, resp.Body, q.db.Now(), op.OrgID, op.ID, Queued, Running).Error
	})
	if err != nil {
		return fmt.Errorf("record failed operation: %w", err)
	}
	return nil
}

// failInterrupted marks failed the running operations of ids (of orgID; all running ones when
// orgID is "", SQLite's start), one statement per kind among them.
func (q *Queue) failInterrupted(tx *gorm.DB, orgID string, ids []string) error {
	query := func() *gorm.DB {
		g := tx.Model(&row{}).Where("state = ?", Running)
		if orgID != "" {
			g = g.Where("organization_id = ? AND id IN ?", orgID, ids)
		}
		return g
	}
	var kinds []string
	if err := query().Distinct().Pluck("kind", &kinds).Error; err != nil {
		return err
	}
	for _, kind := range kinds {
		resp := q.failure(kind, ReasonInterrupted)
		if err := query().Where("kind = ?", kind).Updates(map[string]any{"state": Failed, "status": resp.Status,
			"content_type": resp.ContentType, "body": resp.Body, "finished_at": q.db.Now()}).Error; err != nil {
			return err
		}
	}
	return nil
}

// failure is kind's answer for r; an unknown kind (of another version) gets a plain 503.
func (q *Queue) failure(kind string, r Reason) store.StoredResponse {
	if k, ok := q.kinds[kind]; ok {
		return k.Failure(r)
	}
	return store.StoredResponse{Status: 503, ContentType: "application/json", Body: []byte(`{"code":"503","message":"interrupted"}`)}
}

// hold is a run's sign of life, taken first in its transaction and kept until it ends: on
// PostgreSQL a transaction-scoped advisory lock on the operation (a process that dies loses its
// connection and so its locks), which reap looks for. SQLite needs none (one process).
func (q *Queue) hold(tx *gorm.DB, op Operation) error {
	if q.db.DialectName() == "postgres" {
		if err := tx.Exec("SELECT pg_advisory_xact_lock(hashtextextended(? || ?, 0))", lockPrefix, op.ID).Error; err != nil {
			return err
		}
	}
	// Held now; but if the run took long to get here (a busy pool), reap may have failed it.
	var state string
	if err := tx.Raw("SELECT state FROM operations WHERE organization_id = ? AND id = ?", op.OrgID, op.ID).Scan(&state).Error; err != nil {
		return err
	}
	if state != Running {
		return errNotRunning
	}
	return nil
}

// errNotRunning: the operation stopped being this run's before it began its work.
var errNotRunning = errors.New("operation is no longer running")

// lockPrefix keeps the operations' advisory locks apart from any other lock of the database.
const lockPrefix = "deletesvc operation "

// reapAfter is how long a run may take between being marked running and holding its lock.
const reapAfter = 5 * time.Second

// reap marks failed the organization's operations that are running with no run holding them: the
// instance running them died, its transaction rolled back. PostgreSQL only (SQLite does it at Start).
func (q *Queue) reap(ctx context.Context, orgID string) error {
	if q.db.DialectName() != "postgres" {
		return nil
	}
	var ids []string
	if err := q.db.Gorm(ctx).Model(&row{}).Where("organization_id = ? AND state = ? AND started_at < ?",
		orgID, Running, q.db.Now().Add(-reapAfter)).Pluck("id", &ids).Error; err != nil {
		return fmt.Errorf("find running operations: %w", err)
	}
	if len(ids) == 0 {
		return nil
	}
	return q.db.Tx(ctx, func(tx *gorm.DB) error {
		// Locks this transaction gets are of runs that are gone; held to its end, so none of
		// them can begin meanwhile. The statement reads no table: on Citus it runs on the
		// coordinator, where runs take their locks.
		var dead []string
		if err := tx.Raw(`SELECT id FROM unnest(string_to_array(?, ',')) AS id
			WHERE pg_try_advisory_xact_lock(hashtextextended(? || id, 0))`,
			strings.Join(ids, ","), lockPrefix).Scan(&dead).Error; err != nil {
			return fmt.Errorf("look for running operations' runs: %w", err)
		}
		if len(dead) == 0 {
			return nil
		}
		return q.failInterrupted(tx, orgID, dead)
	})
}

// Snapshot is what /metrics shows: per kind, the operations running in this instance, their
// steps planned and done, and the rows their runs have worked through since the start.
type Snapshot struct {
	Running, Steps, StepsDone map[string]int
	Rows                      map[string]int64
}

// Metrics reads the snapshot.
func (q *Queue) Metrics() Snapshot {
	s := Snapshot{Running: map[string]int{}, Steps: map[string]int{}, StepsDone: map[string]int{}, Rows: map[string]int64{}}
	q.mu.Lock()
	defer q.mu.Unlock()
	for kind := range q.kinds {
		s.Running[kind], s.Steps[kind], s.StepsDone[kind], s.Rows[kind] = 0, 0, 0, q.done[kind]
	}
	for _, r := range q.running {
		p := r.progress()
		s.Running[r.kind]++
		s.Steps[r.kind] += p.Steps
		s.StepsDone[r.kind] += p.StepsDone
	}
	return s
}

// warnOnly passes on warnings and errors.
type warnOnly struct{ slog.Handler }

func (w warnOnly) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn && w.Handler.Enabled(ctx, l)
}

func (w warnOnly) WithAttrs(attrs []slog.Attr) slog.Handler {
	return warnOnly{w.Handler.WithAttrs(attrs)}
}
func (w warnOnly) WithGroup(name string) slog.Handler { return warnOnly{w.Handler.WithGroup(name)} }
