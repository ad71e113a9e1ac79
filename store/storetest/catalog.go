package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
)

// Catalog describes a database's schema as sorted text lines: every table, column (type, nullability,
// default), constraint and index, so two schemas can be compared for equality. The migration
// bookkeeping table is left out.
func Catalog(ctx context.Context, db *sql.DB, dialect string) (string, error) {
	var lines []string
	var err error
	if dialect == "sqlite" {
		lines, err = sqliteCatalog(ctx, db)
	} else {
		lines, err = postgresCatalog(ctx, db)
	}
	if err != nil {
		return "", err
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n") + "\n", nil
}

func postgresCatalog(ctx context.Context, db *sql.DB) ([]string, error) {
	queries := []string{
		`SELECT format('column %s.%s %s %s default=%s', table_name, column_name,
		        CASE WHEN data_type IN ('character varying', 'numeric', 'character')
		             THEN format('%s(%s)', data_type, coalesce(character_maximum_length::text, numeric_precision || ',' || numeric_scale))
		             ELSE data_type END,
		        CASE is_nullable WHEN 'YES' THEN 'null' ELSE 'not null' END, coalesce(column_default, '-'))
		   FROM information_schema.columns
		  WHERE table_schema = 'public' AND table_name NOT IN ('goose_db_version')`,
		`SELECT format('constraint %s %s %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid))
		   FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
		  WHERE n.nspname = 'public' AND c.conrelid <> 0 AND c.conrelid::regclass::text NOT IN ('goose_db_version')`,
		`SELECT format('index %s %s', tablename, indexdef) FROM pg_indexes
		  WHERE schemaname = 'public' AND tablename NOT IN ('goose_db_version')`,
	}
	return collect(ctx, db, queries)
}

func sqliteCatalog(ctx context.Context, db *sql.DB) ([]string, error) {
	queries := []string{
		`SELECT printf('column %s.%s %s %s default=%s pk=%d', m.name, p.name, lower(p.type),
		        CASE p."notnull" WHEN 1 THEN 'not null' ELSE 'null' END, coalesce(p.dflt_value, '-'), p.pk)
		   FROM sqlite_master m, pragma_table_info(m.name) p
		  WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> 'goose_db_version'`,
		`SELECT printf('foreign key %s (%s) -> %s(%s) seq=%d on delete %s on update %s', m.name, f."from", f."table", f."to", f.seq, f.on_delete, f.on_update)
		   FROM sqlite_master m, pragma_foreign_key_list(m.name) f
		  WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> 'goose_db_version'`,
		`SELECT printf('index %s %s unique=%d origin=%s (%s)', m.name, il.name, il."unique", il.origin,
		        (SELECT group_concat(coalesce(ii.name, '<expr>'), ',') FROM pragma_index_info(il.name) ii))
		   FROM sqlite_master m, pragma_index_list(m.name) il
		  WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> 'goose_db_version'`,
	}
	return collect(ctx, db, queries)
}

func collect(ctx context.Context, db *sql.DB, queries []string) ([]string, error) {
	var lines []string
	for _, q := range queries {
		rows, err := db.QueryContext(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("catalog: %w", err)
		}
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				rows.Close()
				return nil, err
			}
			lines = append(lines, line)
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	return lines, nil
}
