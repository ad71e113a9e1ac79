package store

import "context"

// Progress receives how far a long store call has got; a background operation's runner puts
// one in the call's context (WithProgress) and the call reports to it. Calls with none report to
// nobody.
type Progress interface {
	// Plan announces the number of steps the call will take.
	Plan(steps int)
	// Step reports one finished step and the rows it worked through, for a category ("" for rows
	// of no category).
	Step(category string, rows int64)
	// Rows reports rows of a category worked through within a step.
	Rows(category string, rows int64)
}

type progressKey struct{}

// WithProgress returns ctx whose store calls report to p.
func WithProgress(ctx context.Context, p Progress) context.Context {
	return context.WithValue(ctx, progressKey{}, p)
}

// Watched reports whether ctx's store calls have a Progress to report to: a call that could send
// its steps together sends them one at a time instead, so that the progress moves step by step.
func Watched(ctx context.Context) bool {
	_, ok := progressOf(ctx)
	return ok
}

// progressOf is ctx's Progress, if it has one.
func progressOf(ctx context.Context) (Progress, bool) {
	p, ok := ctx.Value(progressKey{}).(Progress)
	return p, ok
}

// ReportPlan tells ctx's Progress, if any, how many steps the call will take.
func ReportPlan(ctx context.Context, steps int) {
	if p, ok := progressOf(ctx); ok {
		p.Plan(steps)
	}
}

// ReportStep tells ctx's Progress, if any, that a step of category finished with rows rows.
func ReportStep(ctx context.Context, category string, rows int64) {
	if p, ok := progressOf(ctx); ok {
		p.Step(category, rows)
	}
}

// ReportRows tells ctx's Progress, if any, that rows rows of category were worked through within
// the current step.
func ReportRows(ctx context.Context, category string, rows int64) {
	if p, ok := progressOf(ctx); ok {
		p.Rows(category, rows)
	}
}
