package store

import (
	"database/sql"
	"database/sql/driver"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// A batched statement is GORM's Raw(query, vars...) built once per query text, argument names and
// lists' lengths, then reused with each call's values: GORM's building (the named parameters
// parsed, each value inspected, the text written again) was about 8% of the service's CPU in a
// profile of an Ultrabiz cycle (issue 13), for a text that changes only when the arguments' shape
// does. The first build is GORM's own, with a placeholder value in each parameter's place, so the
// text is byte for byte what GORM writes (on Citus the planner sees the same statements). A list
// GORM writes as a parameter per element ("IN ?" with three ids is IN ($1,$2,$3)) is built with as
// many placeholders, so each length is a statement of its own. Values GORM binds otherwise
// (expressions, subqueries, []byte, which it may spell per byte) are built by GORM every time.

// builtStatement is a query as GORM builds it and, for each of its parameters in order, the
// argument value it binds.
type builtStatement struct {
	sql    string
	gorm   bool // GORM builds it every time: its first build failed or bound other values than placeholders
	named  bool
	keys   []string // the named arguments' names when built: a text left @other as it was
	params []param
}

// param is what one parameter binds: argument arg (an index into keys, or of the positional
// arguments) or, when that is a list, its element at path (one index per level of nesting).
type param struct {
	arg  int
	path []int
}

type statementKey struct {
	dialect string // how parameters are written
	query   string
	named   bool
	args    int    // how many named, or positional, arguments
	lists   string // the lengths of the list arguments (listShape): "" when there are none
}

var (
	builtStatements     sync.Map // statementKey -> *builtStatement
	builtStatementCount atomic.Int64
	listShapes          sync.Map // statementKey without lists -> *atomic.Int32, its lists' shapes cached
)

// maxBuiltStatements bounds the cache: the stores' query texts are constants, so a text built at
// run time (which would never repeat) must not grow it without bound. A query's lists make a
// statement per length, so each query (text, dialect and count of arguments) keeps at most
// maxListShapes of them, the first seen: a caller sending every length cannot take the cache from
// the other queries (there are a few dozen with lists). Arguments of more than maxCachedValues
// values and lists in all (arguments, and their lists' elements) are built by GORM every time,
// without a key: a bound on what one entry holds, chosen well above the stores' usual lists (an
// invoice's products, a page of ids).
const (
	maxBuiltStatements = 1024
	maxListShapes      = 16
	maxCachedValues    = 512
)

// placeholder stands in for a parameter when a statement is first built: GORM binds it as it binds
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
	key, ok := keyOf(tx.Dialector.Name(), query, named, isNamed, vars)
	if !ok {
		return gormBuild(tx, query, vars)
	}
	if cached, ok := builtStatements.Load(key); ok {
		if args, ok := cached.(*builtStatement).bind(named, vars); ok {
			return cached.(*builtStatement).sql, args, nil
		}
		return gormBuild(tx, query, vars)
	}
	if builtStatementCount.Load() < maxBuiltStatements && mayCacheShape(key) {
		b, ok := firstBuild(tx, query, named, isNamed, vars)
		if !ok {
			b = &builtStatement{gorm: true} // not tried again
		}
		if _, loaded := builtStatements.LoadOrStore(key, b); !loaded {
			builtStatementCount.Add(1)
		}
		if args, ok := b.bind(named, vars); ok {
			return b.sql, args, nil
		}
	}
	return gormBuild(tx, query, vars)
}

// keyOf is the cache's key for query with these arguments; ok is false when they are of no shape
// the cache keeps (listShape).
func keyOf(dialect, query string, named map[string]any, isNamed bool, vars []any) (statementKey, bool) {
	lists, ok := listShape(named, isNamed, vars)
	if !ok {
		return statementKey{}, false
	}
	key := statementKey{dialect: dialect, query: query, named: isNamed, args: len(vars), lists: lists}
	if isNamed {
		key.args = len(named)
	}
	return key, true
}

// mayCacheShape counts a shape of lists not cached yet against its query's allowance; a statement
// without lists is always allowed. Two callers racing with one new shape may both count it.
func mayCacheShape(key statementKey) bool {
	if key.lists == "" {
		return true
	}
	base := key
	base.lists = ""
	n, _ := listShapes.LoadOrStore(base, new(atomic.Int32))
	shapes := n.(*atomic.Int32)
	return shapes.Load() < maxListShapes && shapes.Add(1) <= maxListShapes
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

// listShape spells the lengths of the arguments that are lists, by name (in name order, each
// prefixed with its length, so that no name can spell another's shape) or by position:
// "8:products=3;" or "1=5(2,2,2,2,2);" for five rows of two values. ok is false when an argument
// is neither a value GORM binds as one parameter nor a list of such values or of such lists, or
// when the arguments and their lists hold more than maxCachedValues values and lists in all.
func listShape(named map[string]any, isNamed bool, vars []any) (string, bool) {
	var buf [64]byte
	shape := buf[:0]
	budget := maxCachedValues - len(vars)
	if isNamed {
		budget = maxCachedValues - len(named)
	}
	if budget < 0 {
		return "", false
	}
	// appendArg appends "label=shape;" for one list argument, its label already appended.
	appendArg := func(list any) bool {
		var ok bool
		shape, ok = appendListShape(append(shape, '='), list, &budget)
		shape = append(shape, ';')
		return ok
	}
	if isNamed {
		var names []string
		for name, v := range named {
			if bindsAsOne(v) {
				continue
			}
			if _, ok := asList(v); !ok {
				return "", false
			}
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			shape = append(append(strconv.AppendInt(shape, int64(len(name)), 10), ':'), name...)
			if !appendArg(named[name]) {
				return "", false
			}
		}
		return string(shape), true
	}
	for i, v := range vars {
		if bindsAsOne(v) {
			continue
		}
		if shape = strconv.AppendInt(shape, int64(i), 10); !appendArg(v) {
			return "", false
		}
	}
	return string(shape), true
}

// appendListShape appends list's length and, when its elements are lists, theirs in parentheses,
// taking its elements from budget (the list itself was taken, as an argument or an element). A
// list must hold only values that bind as one parameter, or only lists.
func appendListShape(shape []byte, list any, budget *int) ([]byte, bool) {
	rv, ok := asList(list)
	if !ok {
		return nil, false
	}
	n := rv.Len()
	if *budget -= n; *budget < 0 {
		return nil, false
	}
	shape = strconv.AppendInt(shape, int64(n), 10)
	if elem := rv.Type().Elem(); n == 0 || scalarKind(elem.Kind()) && elem.NumMethod() == 0 {
		return shape, true
	}
	if bindsAsOne(rv.Index(0).Interface()) {
		for i := 1; i < n; i++ {
			if !bindsAsOne(rv.Index(i).Interface()) {
				return nil, false
			}
		}
		return shape, true
	}
	shape = append(shape, '(')
	for i := range n {
		if i > 0 {
			shape = append(shape, ',')
		}
		if shape, ok = appendListShape(shape, rv.Index(i).Interface(), budget); !ok {
			return nil, false
		}
	}
	return append(shape, ')'), true
}

// scalarKind tells whether every value of a type of kind k without methods (a GormValue could
// spell it otherwise) binds as one parameter.
func scalarKind(k reflect.Kind) bool {
	return k >= reflect.Bool && k <= reflect.Float64 || k == reflect.String
}

// asList is v as a list GORM writes a parameter per element of: a slice or array that is not a
// driver.Valuer (a PostgreSQL array is one parameter) nor of a byte kind (GORM binds []byte whole,
// yet spells it per byte after a parenthesis: left to GORM).
func asList(v any) (reflect.Value, bool) {
	switch v.(type) {
	case nil, gorm.Valuer, clause.Expression, clause.Interface, driver.Valuer:
		return reflect.Value{}, false
	}
	rv := reflect.ValueOf(v)
	if k := rv.Kind(); (k == reflect.Slice || k == reflect.Array) && rv.Type().Elem().Kind() != reflect.Uint8 {
		return rv, true
	}
	return reflect.Value{}, false
}

// firstBuild builds query with a placeholder for each parameter and records what each binds. ok is
// false when GORM bound anything else (an empty list it binds as NULL, a list past the
// placeholders' count it binds whole) or failed.
func firstBuild(tx *gorm.DB, query string, named map[string]any, isNamed bool, vars []any) (*builtStatement, bool) {
	b := &builtStatement{named: isNamed}
	var stands []param // what placeholder(i) binds
	standIn := func(arg int, v any) any {
		var at func(v any, path []int) any
		at = func(v any, path []int) any {
			rv, ok := asList(v)
			if !ok {
				stands = append(stands, param{arg: arg, path: path})
				return placeholder(len(stands) - 1)
			}
			list := make([]any, rv.Len())
			for i := range list {
				list[i] = at(rv.Index(i).Interface(), append(path[:len(path):len(path)], i))
			}
			return list
		}
		return at(v, nil)
	}
	var stand []any
	if isNamed {
		m := make(map[string]any, len(named))
		for name, v := range named {
			m[name] = standIn(len(b.keys), v)
			b.keys = append(b.keys, name)
		}
		stand = []any{m}
	} else {
		stand = make([]any, len(vars))
		for i, v := range vars {
			stand[i] = standIn(i, v)
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
		b.params = append(b.params, stands[p])
	}
	b.sql = text
	return b, true
}

// bind is the statement's parameters from this call's arguments, which have the shape it was built
// for (its key's); ok is false when the names differ, or GORM builds the statement.
func (b *builtStatement) bind(named map[string]any, vars []any) ([]any, bool) {
	if b.gorm {
		return nil, false
	}
	args := make([]any, len(b.params))
	if b.named {
		if len(named) != len(b.keys) {
			return nil, false
		}
		for _, name := range b.keys {
			if _, ok := named[name]; !ok {
				return nil, false
			}
		}
		for i, p := range b.params {
			args[i] = element(named[b.keys[p.arg]], p.path)
		}
		return args, true
	}
	for i, p := range b.params {
		args[i] = element(vars[p.arg], p.path)
	}
	return args, true
}

// element is the value at path in v, a list (nested as deep as path), or v itself.
func element(v any, path []int) any {
	for _, i := range path {
		switch list := v.(type) {
		case []any:
			v = list[i]
		case []string:
			v = list[i]
		default:
			v = reflect.ValueOf(v).Index(i).Interface()
		}
	}
	return v
}

// bindsAsOne tells whether GORM binds v as exactly one parameter, as it does a placeholder
// (Statement.AddVar and clause's processValue), wherever it stands in the text.
func bindsAsOne(v any) bool {
	switch v.(type) {
	case nil, string, bool, int, int32, int64, float64: // the common ones, without reflection
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
