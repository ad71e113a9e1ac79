package migrations

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/deletesvc/deletesvc/store/internal/dialect"
)

// Shared tables are Citus reference tables (a copy on every node): users and organizations are
// read by every tenant's requests, and memberships are looked up by user at login and in the
// organization list, which a table distributed by organization would answer from every shard.
// Every other table is a tenant table, distributed by organization_id and colocated, so one
// organization's rows of all tables live on one shard and its queries route there.
var referenceTables = []string{"users", "organizations", "memberships"}

// keyedTables are not tenant data and are distributed by their own key, outside the tenants'
// colocation group: rate_limits is keyed by client, and each statement touches one key's shard.
var keyedTables = map[string]string{"rate_limits": "key"}

// TableDistribution is how Citus holds one table.
type TableDistribution struct {
	Table string
	// Kind is "reference", "distributed" (by organization_id, colocated) or "local" (coordinator
	// only: a plain table, or a "Citus local table", which Citus makes by itself of a new table with a
	// foreign key to a reference table).
	Kind string
}

// citus reports whether the database has the citus extension.
func (r *Runner) citus(ctx context.Context) (bool, error) {
	if r.dialect != "postgres" {
		return false, nil
	}
	var on bool
	err := r.db.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus')").Scan(&on)
	return on, err
}

// Distribution lists how Citus holds each table, or nil without Citus.
func (r *Runner) Distribution(ctx context.Context) ([]TableDistribution, error) {
	on, err := r.citus(ctx)
	if err != nil || !on {
		return nil, err
	}
	return distribution(ctx, r.db)
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func distribution(ctx context.Context, q querier) ([]TableDistribution, error) {
	rows, err := q.QueryContext(ctx, `
		SELECT t.table_name, CASE WHEN p.partmethod = 'h' THEN 'distributed'
		                          WHEN p.partmethod = 'n' AND p.repmodel = 't' THEN 'reference'
		                          ELSE 'local' END
		  FROM information_schema.tables t
		  LEFT JOIN pg_dist_partition p ON p.logicalrelid = (quote_ident(t.table_schema) || '.' || quote_ident(t.table_name))::regclass
		 WHERE t.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
		 ORDER BY 1`)
	if err != nil {
		return nil, fmt.Errorf("citus distribution: %w", err)
	}
	defer rows.Close()
	var out []TableDistribution
	for rows.Next() {
		var d TableDistribution
		if err := rows.Scan(&d.Table, &d.Kind); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// distribute makes every table that is still local a reference or distributed table, so a
// migration that adds a table distributes it in the same run. Citus cannot distribute a table that
// a local table references, nor one referencing a local table, so the foreign keys touching those
// tables are dropped, the tables distributed, and the keys added back, in one transaction.
func (r *Runner) distribute(ctx context.Context) error {
	on, err := r.citus(ctx)
	if err != nil || !on {
		return err
	}
	tx, err := r.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	// Instances starting together take turns; the second finds nothing left to do.
	if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(hashtext('deletesvc citus distribute'))"); err != nil {
		return err
	}
	tables, err := distribution(ctx, tx)
	if err != nil {
		return err
	}
	var pending, references, tenants, keyed []string
	colocateWith := ""
	for _, t := range tables {
		switch {
		case t.Table == versionTable, strings.HasPrefix(t.Table, "river_"):
			// goose's bookkeeping and River's job queue stay on the coordinator: nothing joins
			// them with tenant tables, and the queue's own statements span organizations.
		case t.Kind == "local":
			pending = append(pending, t.Table)
		case t.Kind == "distributed" && colocateWith == "" && keyedTables[t.Table] == "":
			colocateWith = t.Table
		}
	}
	if len(pending) == 0 {
		return tx.Commit()
	}
	for _, t := range pending {
		if slices.Contains(referenceTables, t) {
			references = append(references, t)
			continue
		}
		if _, ok := keyedTables[t]; ok {
			keyed = append(keyed, t)
			continue
		}
		hasOrg, err := hasColumn(ctx, tx, t, "organization_id")
		if err != nil {
			return err
		}
		if !hasOrg {
			return fmt.Errorf("citus: table %s has no organization_id and is not a reference table", t)
		}
		tenants = append(tenants, t)
	}
	// Reference tables first, in the order that their own keys need.
	slices.SortFunc(references, func(a, b string) int {
		return slices.Index(referenceTables, a) - slices.Index(referenceTables, b)
	})
	// Foreign keys to reference tables must be created over one connection per node in a
	// transaction that also distributes tables.
	if _, err := tx.ExecContext(ctx, "SET LOCAL citus.multi_shard_modify_mode TO 'sequential'"); err != nil {
		return err
	}
	keys, err := foreignKeysTouching(ctx, tx, pending)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("ALTER TABLE %s DROP CONSTRAINT %s", k.table, k.name)); err != nil {
			return fmt.Errorf("citus: drop %s: %w", k.name, err)
		}
	}
	for _, t := range references {
		if _, err := tx.ExecContext(ctx, "SELECT create_reference_table($1)", t); err != nil {
			return fmt.Errorf("citus: reference table %s: %w", t, err)
		}
	}
	for _, t := range tenants {
		colocate := colocateWith
		if colocate == "" {
			colocate = "none" // the first tenant table starts the colocation group the others join
		}
		if _, err := tx.ExecContext(ctx, "SELECT create_distributed_table($1, 'organization_id', colocate_with => $2)", t, colocate); err != nil {
			return fmt.Errorf("citus: distribute %s: %w", t, err)
		}
		if colocateWith == "" {
			colocateWith = t
		}
	}
	for _, t := range keyed {
		if _, err := tx.ExecContext(ctx, "SELECT create_distributed_table($1, $2, colocate_with => 'none')", t, keyedTables[t]); err != nil {
			return fmt.Errorf("citus: distribute %s: %w", t, err)
		}
	}
	for _, k := range keys {
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s %s", k.table, k.name, k.definition)); err != nil {
			return fmt.Errorf("citus: restore %s: %w", k.name, err)
		}
	}
	return tx.Commit()
}

type foreignKey struct{ table, name, definition string }

func foreignKeysTouching(ctx context.Context, tx *sql.Tx, tables []string) ([]foreignKey, error) {
	rows, err := tx.QueryContext(ctx, `
		SELECT c.conrelid::regclass::text, quote_ident(c.conname), pg_get_constraintdef(c.oid)
		  FROM pg_constraint c
		 WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace
		   AND (c.conrelid::regclass::text = ANY($1) OR c.confrelid::regclass::text = ANY($1))
		 ORDER BY 1, 2`, dialect.TextArray(tables))
	if err != nil {
		return nil, fmt.Errorf("citus: foreign keys: %w", err)
	}
	defer rows.Close()
	var out []foreignKey
	for rows.Next() {
		var k foreignKey
		if err := rows.Scan(&k.table, &k.name, &k.definition); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

func hasColumn(ctx context.Context, tx *sql.Tx, table, column string) (bool, error) {
	var ok bool
	err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = $1 AND column_name = $2)`, table, column).Scan(&ok)
	return ok, err
}
