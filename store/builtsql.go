package store

import (
	"database/sql"
	"database/sql/driver"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// A batched statement is GORM's Raw(query, vars...) built once per query text and argument names,
// then reused with each call's values: GORM's building (the named parameters parsed, each value
// inspected, the text written again) was about 8% of the service's CPU in a profile of an
// Ultrabiz cycle (issue 13), for a text that changes only when the arguments' shape does. The first
// build is GORM's own, with a placeholder value in each argument's place, so the text is byte for
// byte what GORM writes (on Citus the planner sees the same statements). Values GORM does not bind
// as one parameter (lists, expressions, subqueries) are built by GORM every time.

// builtStatement is a query as GORM builds it and, for each of its parameters in order, the
// argument it binds: a name of the named arguments, or an index of the positional ones.
type builtStatement struct {
	sql   string
	named bool
	names []string // the named argument each parameter binds
	index []int    // the positional argument each parameter binds
	keys  []string // the named arguments' names when built: a text left @other as it was
}

type statementKey struct {
	dialect string // how parameters are written
	query   string
	named   bool
	args    int // how many named, or positional, arguments
}

var (
	builtStatements     sync.Map // statementKey -> *builtStatement
	builtStatementCount atomic.Int64
)

// maxBuiltStatements bounds the cache: the stores' query texts are constants, so a text built at
// run time (which would never repeat) must not grow it without bound.
const maxBuiltStatements = 1024

// placeholder stands in for an argument when a statement is first built: GORM binds it as it binds
// any value that is one parameter.
type placeholder int

func (p placeholder) Value() (driver.Value, error) { return int64(p), nil }

// buildStatement returns query with vars as GORM's tx.Raw(query, vars...) would build it.
func buildStatement(tx *gorm.DB, query string, vars []any) (string, []any, error) {
	named, isNamed := namedArgs(vars)
	if len(tx.Statement.Vars) > 0 || !isNamed && strings.Contains(query, "@") {
		// Parameters the session already holds shift the numbering; positional arguments in a text
		// with @ are read for their fields' names too.
		return gormBuild(tx, query, vars)
	}
	key := statementKey{dialect: tx.Dialector.Name(), query: query, named: isNamed, args: len(vars)}
	if isNamed {
		key.args = len(named)
	}
	if cached, ok := builtStatements.Load(key); ok {
		if args, ok := cached.(*builtStatement).bind(named, vars); ok {
			return cached.(*builtStatement).sql, args, nil
		}
		return gormBuild(tx, query, vars)
	}
	if builtStatementCount.Load() < maxBuiltStatements && bindsAsOneEach(named, vars) {
		if b, ok := firstBuild(tx, query, named, isNamed, vars); ok {
			if _, loaded := builtStatements.LoadOrStore(key, b); !loaded {
				builtStatementCount.Add(1)
			}
			if args, ok := b.bind(named, vars); ok {
				return b.sql, args, nil
			}
		}
	}
	return gormBuild(tx, query, vars)
}

func gormBuild(tx *gorm.DB, query string, vars []any) (string, []any, error) {
	built := tx.Raw(query, vars...)
	if built.Error != nil {
		return "", nil, built.Error
	}
	return built.Statement.SQL.String(), built.Statement.Vars, nil
}

// namedArgs is vars' one map of named arguments, if that is what vars is.
func namedArgs(vars []any) (map[string]any, bool) {
	if len(vars) != 1 {
		return nil, false
	}
	m, ok := vars[0].(map[string]any)
	return m, ok
}

// firstBuild builds query with a placeholder for each argument and records which argument each
// parameter binds. ok is false when GORM bound anything else (a value the session already held).
func firstBuild(tx *gorm.DB, query string, named map[string]any, isNamed bool, vars []any) (*builtStatement, bool) {
	b := &builtStatement{named: isNamed}
	var stand []any
	var names []string
	if isNamed {
		m := make(map[string]any, len(named))
		for name := range named {
			m[name] = placeholder(len(names))
			names = append(names, name)
		}
		stand, b.keys = []any{m}, names
	} else {
		stand = make([]any, len(vars))
		for i := range vars {
			stand[i] = placeholder(i)
		}
	}
	text, bound, err := gormBuild(tx, query, stand)
	if err != nil {
		return nil, false
	}
	for _, v := range bound {
		p, ok := v.(placeholder)
		if !ok {
			return nil, false
		}
		if isNamed {
			b.names = append(b.names, names[p])
		} else {
			b.index = append(b.index, int(p))
		}
	}
	b.sql = text
	return b, true
}

// bind is the statement's parameters from this call's arguments; ok is false when they do not have
// the shape it was built for.
func (b *builtStatement) bind(named map[string]any, vars []any) ([]any, bool) {
	if b.named {
		if len(named) != len(b.keys) {
			return nil, false
		}
		for _, name := range b.keys {
			if _, ok := named[name]; !ok {
				return nil, false
			}
		}
		args := make([]any, len(b.names))
		for i, name := range b.names {
			v := named[name] // present: the keys are the same
			if !bindsAsOne(v) {
				return nil, false
			}
			args[i] = v
		}
		return args, true
	}
	args := make([]any, len(b.index))
	for i, at := range b.index {
		if !bindsAsOne(vars[at]) {
			return nil, false
		}
		args[i] = vars[at]
	}
	return args, true
}

func bindsAsOneEach(named map[string]any, vars []any) bool {
	for _, v := range named {
		if !bindsAsOne(v) {
			return false
		}
	}
	if named == nil {
		for _, v := range vars {
			if !bindsAsOne(v) {
				return false
			}
		}
	}
	return true
}

// bindsAsOne tells whether GORM binds v as exactly one parameter, as it does a placeholder
// (Statement.AddVar and clause's processValue), wherever it stands in the text.
func bindsAsOne(v any) bool {
	switch v.(type) {
	case nil:
		return true
	case gorm.Valuer, clause.Expression, clause.Interface, clause.Column, clause.Table, sql.NamedArg, *gorm.DB:
		return false
	case driver.Valuer, time.Time, *time.Time:
		return true
	}
	switch reflect.Indirect(reflect.ValueOf(v)).Kind() {
	case reflect.Slice, reflect.Array, reflect.Map, reflect.Struct: // a struct may embed a *gorm.DB: a subquery
		return false
	}
	return true
}
