-- Every foreign key between the service's tables becomes DEFERRABLE, still INITIALLY IMMEDIATE, so
-- every write is checked as before. A bulk delete or restore on a connection that may not turn the
-- checks off (session_replication_role) defers them to its commit instead (store.DB.UncheckedTx):
-- a restore may then clear rows that kept rows point at and put them back, as it may with the
-- checks off and on SQLite. With immediate checks such a restore was refused. Citus does not
-- support ALTER CONSTRAINT on its tables: there the key is dropped and added back, one connection
-- per node as keys to reference tables need, and the coordinator's shard placements are left out
-- (their keys follow their tables').
-- +goose Up
-- +goose StatementBegin
DO $$
DECLARE
    k record;
    citus boolean := to_regclass('pg_dist_partition') IS NOT NULL;
    citus_table boolean;
BEGIN
    PERFORM set_config('citus.multi_shard_modify_mode', 'sequential', true);
    FOR k IN EXECUTE $q$
        SELECT c.conrelid::regclass::text AS tbl, quote_ident(c.conname) AS name, pg_get_constraintdef(c.oid) AS def
          FROM pg_constraint c
         WHERE c.contype = 'f' AND NOT c.condeferrable AND c.connamespace = current_schema()::regnamespace $q$
        || CASE WHEN citus THEN ' AND pg_catalog.citus_table_is_visible(c.conrelid)' ELSE '' END
        || ' ORDER BY 1, 2'
    LOOP
        citus_table := false;
        IF citus THEN -- dynamic: without Citus the catalog does not exist
            EXECUTE 'SELECT EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = $1::regclass)' INTO citus_table USING k.tbl;
        END IF;
        IF citus_table THEN
            EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %s', k.tbl, k.name);
            EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %s %s DEFERRABLE', k.tbl, k.name, k.def);
        ELSE
            EXECUTE format('ALTER TABLE %s ALTER CONSTRAINT %s DEFERRABLE', k.tbl, k.name);
        END IF;
    END LOOP;
END $$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
DO $$
DECLARE
    k record;
    citus boolean := to_regclass('pg_dist_partition') IS NOT NULL;
    citus_table boolean;
BEGIN
    PERFORM set_config('citus.multi_shard_modify_mode', 'sequential', true);
    FOR k IN EXECUTE $q$
        SELECT c.conrelid::regclass::text AS tbl, quote_ident(c.conname) AS name,
               replace(pg_get_constraintdef(c.oid), ' DEFERRABLE', '') AS def
          FROM pg_constraint c
         WHERE c.contype = 'f' AND c.condeferrable AND c.connamespace = current_schema()::regnamespace $q$
        || CASE WHEN citus THEN ' AND pg_catalog.citus_table_is_visible(c.conrelid)' ELSE '' END
        || ' ORDER BY 1, 2'
    LOOP
        citus_table := false;
        IF citus THEN
            EXECUTE 'SELECT EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = $1::regclass)' INTO citus_table USING k.tbl;
        END IF;
        IF citus_table THEN
            EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %s', k.tbl, k.name);
            EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %s %s', k.tbl, k.name, k.def);
        ELSE
            EXECUTE format('ALTER TABLE %s ALTER CONSTRAINT %s NOT DEFERRABLE', k.tbl, k.name);
        END IF;
    END LOOP;
END $$;
-- +goose StatementEnd
