package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"gorm.io/gorm"
)

// Referential integrity without the database's row-by-row checks.
//
// PostgreSQL checks a foreign key with one trigger call per deleted parent row, even when the same
// transaction deletes the referencing rows too: a million-row delete spent 89% of its time there
// (issue 13). A bulk delete may instead run with those checks off (UncheckedTx) and prove the
// result itself with one anti-join per foreign key (OrphanCountSQL), set-based, before it commits.
// Every other write keeps the database's checks; `deletesvc check-integrity` runs the same
// anti-joins over every foreign key of the whole database.

// ForeignKey is one foreign key as the database declares it.
type ForeignKey struct {
	Name       string
	Table      string
	Columns    []string
	RefTable   string
	RefColumns []string
}

func (k ForeignKey) String() string {
	return fmt.Sprintf("%s(%s) -> %s(%s)", k.Table, strings.Join(k.Columns, ", "), k.RefTable, strings.Join(k.RefColumns, ", "))
}

// TenantScoped reports whether the key starts with organization_id on both sides, so one
// organization's rows can be checked alone.
func (k ForeignKey) TenantScoped() bool {
	return len(k.Columns) > 1 && k.Columns[0] == "organization_id" && k.RefColumns[0] == "organization_id"
}

// ForeignKeys lists every foreign key of the database's tables, ordered by table and name.
func (db *DB) ForeignKeys(ctx context.Context) ([]ForeignKey, error) {
	type col struct {
		Name, Tbl, Col, RefTbl, RefCol string
		Seq                            int
	}
	q := `SELECT 'fk_' || m.name || '_' || f.id AS name, m.name AS tbl, f."from" AS col, f."table" AS ref_tbl, f."to" AS ref_col, f.seq AS seq
		    FROM sqlite_master m, pragma_foreign_key_list(m.name) f
		   WHERE m.type = 'table'
		   ORDER BY m.name, f.id, f.seq`
	if db.DialectName() == "postgres" {
		q = `SELECT c.conname AS name, c.conrelid::regclass::text AS tbl, a.attname AS col,
		            c.confrelid::regclass::text AS ref_tbl, fa.attname AS ref_col, k.ord AS seq
		       FROM pg_constraint c
		       JOIN pg_namespace n ON n.oid = c.connamespace AND n.nspname = current_schema()
		       CROSS JOIN LATERAL unnest(c.conkey, c.confkey) WITH ORDINALITY AS k(attnum, fattnum, ord)
		       JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
		       JOIN pg_attribute fa ON fa.attrelid = c.confrelid AND fa.attnum = k.fattnum
		      WHERE c.contype = 'f'
		      ORDER BY 2, 1, 6`
	}
	var cols []col
	if err := db.Gorm(ctx).Raw(q).Scan(&cols).Error; err != nil {
		return nil, fmt.Errorf("list foreign keys: %w", err)
	}
	var out []ForeignKey
	for _, c := range cols {
		if n := len(out); n == 0 || out[n-1].Name != c.Name || out[n-1].Table != c.Tbl {
			out = append(out, ForeignKey{Name: c.Name, Table: c.Tbl, RefTable: c.RefTbl})
		}
		k := &out[len(out)-1]
		k.Columns = append(k.Columns, c.Col)
		k.RefColumns = append(k.RefColumns, c.RefCol)
	}
	return out, nil
}

// OrphanCountSQL counts the rows of a table that break keys (all of that table): rows whose key is
// set (every column non-null: a key with a NULL in it points nowhere) and matches no row of the
// key's table. Each key is its own top-level NOT EXISTS, which PostgreSQL runs as an anti-join;
// OR-ed together they would become subplans it may hash over the whole referenced table.
// Tenant-scoped, it counts one organization's rows, bound once per key, and routes to one Citus
// shard.
func OrphanCountSQL(keys []ForeignKey, tenant bool) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		var set, match []string
		for j, c := range k.Columns {
			set = append(set, "c."+c+" IS NOT NULL")
			match = append(match, "p."+k.RefColumns[j]+" = c."+c)
		}
		q := "SELECT count(*) FROM " + k.Table + " c WHERE "
		if tenant {
			q += "c.organization_id = ? AND "
		}
		parts[i] = "(" + q + strings.Join(set, " AND ") + " AND NOT EXISTS (SELECT 1 FROM " + k.RefTable + " p WHERE " + strings.Join(match, " AND ") + "))"
	}
	return "SELECT " + strings.Join(parts, " + ")
}

// KeyShareParentsSQL locks, FOR KEY SHARE, the rows of k's referenced table that one
// organization's rows of k's table point at (bound: the organization twice). It is the lock the
// database's own check takes for each row it inserts: a transaction writing with those checks off
// (UncheckedTx) takes it itself, before proving its rows, so that no other transaction can delete
// a parent they point at until it commits (the deleter waits, then its own check sees the rows and
// refuses). k must be TenantScoped: both sides are bound to the organization, one Citus shard.
func KeyShareParentsSQL(k ForeignKey) string {
	match := make([]string, len(k.Columns))
	for j, c := range k.Columns {
		match[j] = "p." + k.RefColumns[j] + " = c." + c
	}
	return "SELECT count(*) FROM (SELECT 1 FROM " + k.RefTable + " p WHERE p.organization_id = ? AND EXISTS (SELECT 1 FROM " +
		k.Table + " c WHERE c.organization_id = ? AND " + strings.Join(match, " AND ") + ") FOR KEY SHARE OF p) locked"
}

// Orphans is a foreign key with the rows that break it.
type Orphans struct {
	Key  ForeignKey
	Rows int64
}

// CheckIntegrity runs the anti-join of every foreign key over the whole database, in one read-only
// snapshot, and returns the keys it checked and those that some row breaks.
func (db *DB) CheckIntegrity(ctx context.Context) ([]ForeignKey, []Orphans, error) {
	keys, err := db.ForeignKeys(ctx)
	if err != nil {
		return nil, nil, err
	}
	var out []Orphans
	err = db.ReadTx(ctx, func(tx *gorm.DB) error {
		if db.DialectName() == "postgres" {
			// An audit of every organization reads every shard on Citus, by design; where
			// multi-shard statements are refused (the test suites), this one is not. On plain
			// PostgreSQL the setting is an inert placeholder.
			if err := tx.Exec("SET LOCAL citus.multi_task_query_log_level = 'off'").Error; err != nil {
				return err
			}
		}
		for _, k := range keys {
			var n int64
			if err := tx.Raw(OrphanCountSQL([]ForeignKey{k}, false)).Scan(&n).Error; err != nil {
				return fmt.Errorf("check %s: %w", k, err)
			}
			if n > 0 {
				out = append(out, Orphans{Key: k, Rows: n})
			}
		}
		return nil
	})
	return keys, out, err
}

// ReadTx runs fn in a read-only transaction that sees one snapshot (REPEATABLE READ on
// PostgreSQL; on SQLite a deferred transaction, which takes no write lock, so writers go on).
func (db *DB) ReadTx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	if tx := requestTx(ctx); tx != nil {
		// An Idempotent request's transaction has begun: it reads with its own isolation.
		return db.Tx(ctx, fn)
	}
	opts := &sql.TxOptions{ReadOnly: true}
	if db.DialectName() == "postgres" {
		opts.Isolation = sql.LevelRepeatableRead
	}
	return db.gorm.WithContext(ctx).Transaction(fn, opts)
}

// UncheckedTx runs fn in a transaction in which the database does not check foreign keys row by
// row, when this connection may turn them off, and tells fn whether it did. When it did, fn must
// prove what it wrote before returning (OrphanCountSQL over the keys it could have broken).
//
// PostgreSQL: SET LOCAL session_replication_role = replica, which needs superuser or, from
// PostgreSQL 15, GRANT SET ON PARAMETER session_replication_role; it also skips other triggers
// (the schema has none). On Citus the setting is passed to the workers. Without the privilege the
// transaction keeps the checks, deferred to its commit (every foreign key is DEFERRABLE, migration
// 13), so statements may pass through states a row-by-row check refuses: a restore deletes rows
// that kept rows point at, then puts them back. SQLite always keeps them, deferred the same way:
// there the checks cost less than deleting without them (at 1,000,000 rows a delete with
// foreign_keys OFF took 1.47x as long), and the pragma cannot change inside an Idempotent
// request's transaction anyway. (Citus does not pass SET CONSTRAINTS to the workers, so there,
// without the privilege, the checks stay immediate.)
func (db *DB) UncheckedTx(ctx context.Context, fn func(tx *gorm.DB, unchecked bool) error) error {
	if db.DialectName() == "sqlite" {
		return db.Tx(ctx, func(tx *gorm.DB) error {
			if err := tx.Exec("PRAGMA defer_foreign_keys = ON").Error; err != nil {
				return fmt.Errorf("defer foreign keys: %w", err)
			}
			return fn(tx, false)
		})
	}
	bypass, citus := db.replicaRole(ctx)
	return db.Tx(ctx, func(tx *gorm.DB) error {
		if bypass {
			if citus {
				if err := tx.Exec("SET LOCAL citus.propagate_set_commands = 'local'").Error; err != nil {
					return fmt.Errorf("propagate settings: %w", err)
				}
			}
			if err := tx.Exec("SET LOCAL session_replication_role = replica").Error; err != nil {
				return fmt.Errorf("turn off foreign-key triggers: %w", err)
			}
		} else if err := tx.Exec("SET CONSTRAINTS ALL DEFERRED").Error; err != nil {
			return fmt.Errorf("defer foreign keys: %w", err)
		}
		return fn(tx, bypass)
	})
}

// replicaRole reports, once per pool, whether the connection may set session_replication_role,
// and whether the database is on Citus. A failed probe is not remembered: the next call asks again.
func (db *DB) replicaRole(ctx context.Context) (bypass, citus bool) {
	db.bypassMu.Lock()
	defer db.bypassMu.Unlock()
	if !db.bypassKnown {
		if err := db.Gorm(ctx).Raw("SELECT has_parameter_privilege('session_replication_role', 'SET')").Scan(&db.bypass).Error; err != nil {
			return false, db.citus
		}
		db.bypassKnown = true
	}
	return db.bypass, db.citus
}
