package main

// _id lookups served from an index on PostgreSQL.
//
// FerretDB's PostgreSQL backend sends an `_id` equality filter as
//
//	SELECT _jsonb FROM "<db>"."<table>" WHERE (_jsonb->'_id') @> $1
//
// (internal/backends/postgresql/query.go, filterEqual), but the only index it makes for `_id`
// is a btree on ((_jsonb->'_id')), which cannot serve `@>`: every lookup reads the whole
// table. A GIN index with jsonb_path_ops on the same expression serves exactly that predicate.
//
// FerretDB keeps each database in a schema of the same name, holding its metadata table
// `_ferretdb_database_metadata` and one table per collection (a `_jsonb` column). We do not
// patch FerretDB: every idIndexInterval, one catalog query lists the collection tables of
// every such schema that have no GIN index yet, and each gets one. A collection created later
// (by the server's ensureIndexes, by a test) has its index within one interval, while it is
// still small. FerretDB never sees these indexes: its listIndexes reads its own metadata, and
// dropping a collection drops its table with them. FerretDB only makes btree indexes, so any
// GIN index on a table is ours. A lock_timeout keeps the sweep from queueing FerretDB's writes
// behind it: a table that is busy gets its index at a later sweep.

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

const (
	idIndexInterval = 3 * time.Second
	idIndexSuffix   = "_id_gin"
	maxIdentifier   = 63
)

// Collection tables (in a schema holding FerretDB's metadata table) without a GIN index.
const tablesWithoutIDIndex = `
SELECT n.nspname, c.relname
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r'
  AND c.relname <> '_ferretdb_database_metadata'
  AND EXISTS (SELECT 1 FROM pg_class m
              WHERE m.relnamespace = n.oid AND m.relname = '_ferretdb_database_metadata' AND m.relkind = 'r')
  AND EXISTS (SELECT 1 FROM pg_attribute a
              WHERE a.attrelid = c.oid AND a.attname = '_jsonb' AND NOT a.attisdropped)
  AND NOT EXISTS (SELECT 1 FROM pg_index x
                  JOIN pg_class i ON i.oid = x.indexrelid
                  JOIN pg_am am ON am.oid = i.relam
                  WHERE x.indrelid = c.oid AND am.amname = 'gin')`

// keepIDIndexes runs until ctx ends, giving every FerretDB collection table its `_id` GIN index.
func keepIDIndexes(ctx context.Context, url string) {
	config, err := pgxpool.ParseConfig(url)
	if err != nil {
		fmt.Fprintf(os.Stderr, "_id indexes: %v\n", err)
		return
	}
	config.MaxConns = 1
	config.ConnConfig.RuntimeParams["application_name"] = "charcha-id-indexes"
	config.ConnConfig.RuntimeParams["lock_timeout"] = "1000"
	pool, err := pgxpool.NewWithConfig(ctx, config)
	if err != nil {
		fmt.Fprintf(os.Stderr, "_id indexes: %v\n", err)
		return
	}
	defer pool.Close()

	everyInterval(ctx, func() error { return ensureIDIndexes(ctx, pool) })
}

// everyInterval runs sweep every idIndexInterval until ctx ends, logging an error when it is
// not the one of the sweep before.
func everyInterval(ctx context.Context, sweep func() error) {
	var lastErr string
	for {
		msg := ""
		if err := sweep(); err != nil && ctx.Err() == nil {
			msg = strings.ReplaceAll(err.Error(), "\n", "; ")
		}
		if msg != "" && msg != lastErr {
			fmt.Fprintf(os.Stderr, "_id indexes: %s (retrying every %s)\n", msg, idIndexInterval)
		}
		lastErr = msg
		select {
		case <-ctx.Done():
			return
		case <-time.After(idIndexInterval):
		}
	}
}

func ensureIDIndexes(ctx context.Context, pool *pgxpool.Pool) error {
	rows, err := pool.Query(ctx, tablesWithoutIDIndex)
	if err != nil {
		return err
	}
	tables, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) ([2]string, error) {
		var t [2]string
		err := row.Scan(&t[0], &t[1])
		return t, err
	})
	if err != nil {
		return err
	}
	var firstErr error
	for _, t := range tables {
		schema, table := t[0], t[1]
		q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %s ON %s USING gin ((_jsonb->'_id') jsonb_path_ops)`,
			pgx.Identifier{idIndexName(table)}.Sanitize(), pgx.Identifier{schema, table}.Sanitize())
		if _, err := pool.Exec(ctx, q); err != nil {
			if firstErr == nil {
				firstErr = fmt.Errorf("%s.%s: %w", schema, table, err)
			}
			continue
		}
		fmt.Fprintf(os.Stderr, "_id indexes: created %s on %s.%s\n", idIndexName(table), schema, table)
	}
	return firstErr
}

// idIndexName is `<table>_id_gin`; a long table name keeps its start and its last 8
// characters (FerretDB's hash of the collection name), within PostgreSQL's 63.
func idIndexName(table string) string {
	if len(table)+len(idIndexSuffix) <= maxIdentifier {
		return table + idIndexSuffix
	}
	keep := maxIdentifier - len(idIndexSuffix) - 9
	return table[:keep] + "_" + table[len(table)-8:] + idIndexSuffix
}
