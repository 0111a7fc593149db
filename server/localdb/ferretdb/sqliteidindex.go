package main

// _id lookups served from an index on SQLite.
//
// FerretDB's SQLite backend keeps each database in <dir>/<name>.sqlite, with its metadata table
// `_ferretdb_collections` (name, table_name, settings) and one table per collection holding
// one column, `_ferretdb_sjson` (the document as JSON). A find, update, delete or
// findAndModify whose filter is exactly {_id: <string or ObjectId>} is sent as
//
//	SELECT _ferretdb_sjson FROM "<table>" WHERE _ferretdb_sjson->'$._id' = ? [LIMIT ?]
//
// (internal/backends/sqlite/collection.go, Query, with metadata.IDColumn), the argument being
// the `_id` as JSON ("site:article", or an ObjectId's 24 hex digits in quotes); the documents
// it finds are then updated with `UPDATE "<table>" SET _ferretdb_sjson = ? WHERE
// _ferretdb_sjson->'$._id' = ?` and deleted with `DELETE FROM "<table>" WHERE
// _ferretdb_sjson->'$._id' IN (?)`. Any other filter is read whole and matched in Go.
//
// The one index FerretDB makes for `_id` is
//
//	CREATE UNIQUE INDEX "<table>__id_" ON "<table>" (_ferretdb_sjson->"_id")
//
// (metadata/registry.go, indexesCreate: each field name quoted with %q, which SQLite reads as
// the string '_id', a label meaning the path '$._id'). It gives the same values as the query's
// `_ferretdb_sjson->'$._id'`, but SQLite uses an expression index only for a query expression
// that is written the same way (a label and a path are different strings), so every `_id`
// lookup is `SCAN <table>`: every document is parsed as JSON until the match, and with no
// match or no LIMIT, all of them. FerretDB's index still serves its purpose, refusing a
// duplicate `_id`.
//
// We do not patch FerretDB: every idIndexInterval, each database file that changed since it
// was last found complete is opened read-only, its collection tables without an index on the
// query's exact expression are listed, and each gets one,
//
//	CREATE INDEX "<table>_id_sjson" ON "<table>" (_ferretdb_sjson->'$._id')
//
// through a read-write connection opened for that and closed. A collection created later has
// its index within one interval, while it is still small. An expression index always gives
// what evaluating its expression gives, so results do not change, only how rows are found. It
// is not unique (a string `_id` and an ObjectId with the same hex digits have the same key);
// uniqueness stays with FerretDB's own index. FerretDB never sees ours (listIndexes reads its
// metadata table), dropping a collection drops its table with them, and renaming one keeps its
// table. Files are opened with mode=ro or mode=rw, never created: a database dropped meanwhile
// stays dropped. Only a file that changed is opened, and for milliseconds: FerretDB's
// dropDatabase closes its own connections and removes the .sqlite file alone, so a database
// dropped while any other connection has it open (ours, or a sqlite3 shell) keeps its -wal and
// -shm files beside it (seen with a shell holding it open; creating a database of the same name
// afterwards gave an empty one, as it should). A short busy timeout keeps a sweep from waiting on FerretDB's writes (its own
// busy timeout is 10 s, so a write that meets our CREATE INDEX waits for it): a busy database
// gets its index at a later sweep.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the driver FerretDB registers, named here for sql.Open
)

const (
	sqliteIDExpression  = `_ferretdb_sjson->'$._id'`
	sqliteIDIndexSuffix = "_id_sjson"
	sqliteBusyTimeoutMs = 1000
)

// Collection tables of one database file without an index on sqliteIDExpression.
const sqliteTablesWithoutIDIndex = `
SELECT c.table_name
FROM _ferretdb_collections c
WHERE EXISTS (SELECT 1 FROM sqlite_master t WHERE t.type = 'table' AND t.name = c.table_name)
  AND NOT EXISTS (SELECT 1 FROM sqlite_master i
                  WHERE i.type = 'index' AND i.tbl_name = c.table_name AND instr(i.sql, ?) > 0)`

// fileStamp tells whether a database file (with its write-ahead log) changed between sweeps.
type fileStamp struct {
	size, walSize   int64
	mtime, walMtime time.Time
}

func stampOf(path string) (fileStamp, error) {
	var s fileStamp
	fi, err := os.Stat(path)
	if err != nil {
		return s, err
	}
	s.size, s.mtime = fi.Size(), fi.ModTime()
	if wal, err := os.Stat(path + "-wal"); err == nil {
		s.walSize, s.walMtime = wal.Size(), wal.ModTime()
	}
	return s, nil
}

// keepSQLiteIDIndexes runs until ctx ends, giving every FerretDB collection table in dir its
// `_id` index.
func keepSQLiteIDIndexes(ctx context.Context, dir string) {
	complete := map[string]fileStamp{} // files found with every table indexed, as they were then
	everyInterval(ctx, func() error { return sweepSQLiteFiles(ctx, dir, complete) })
}

// sweepSQLiteFiles checks every database file of dir that changed since it was found complete.
func sweepSQLiteFiles(ctx context.Context, dir string, complete map[string]fileStamp) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.sqlite"))
	if err != nil {
		return err
	}
	var errs []error
	seen := map[string]bool{}
	for _, file := range files {
		seen[file] = true
		stamp, err := stampOf(file)
		if err != nil {
			continue // dropped since the listing
		}
		if prev, ok := complete[file]; ok && prev == stamp {
			continue
		}
		if err := ensureSQLiteIDIndexes(ctx, file); err != nil {
			delete(complete, file)
			errs = append(errs, fmt.Errorf("%s: %w", filepath.Base(file), err))
			continue
		}
		complete[file] = stamp // taken before the check: a change during it brings another
	}
	for file := range complete {
		if !seen[file] {
			delete(complete, file)
		}
	}
	return errors.Join(errs...)
}

// ensureSQLiteIDIndexes indexes the collection tables of one database file that lack it.
func ensureSQLiteIDIndexes(ctx context.Context, file string) error {
	tables, err := sqliteTablesToIndex(ctx, file)
	if err != nil || len(tables) == 0 {
		return err
	}
	db, err := openSQLite(file, "rw")
	if err != nil {
		return err
	}
	defer db.Close()
	var firstErr error
	for _, table := range tables {
		q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %s ON %s (%s)`,
			sqliteIdentifier(table+sqliteIDIndexSuffix), sqliteIdentifier(table), sqliteIDExpression)
		if _, err := db.ExecContext(ctx, q); err != nil {
			if firstErr == nil {
				firstErr = fmt.Errorf("%s: %w", table, err)
			}
			continue
		}
		fmt.Fprintf(os.Stderr, "_id indexes: created %s on %s in %s\n", table+sqliteIDIndexSuffix, table, filepath.Base(file))
	}
	return firstErr
}

// sqliteTablesToIndex lists, read-only, the collection tables of a database file without the
// index; none for a file FerretDB has not yet given its metadata table.
func sqliteTablesToIndex(ctx context.Context, file string) ([]string, error) {
	db, err := openSQLite(file, "ro")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	var n int
	if err := db.QueryRowContext(ctx,
		`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '_ferretdb_collections'`).Scan(&n); err != nil || n == 0 {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, sqliteTablesWithoutIDIndex, "("+sqliteIDExpression+")")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		tables = append(tables, t)
	}
	return tables, rows.Err()
}

// openSQLite opens an existing database file (mode ro or rw: never created) on one connection.
func openSQLite(file, mode string) (*sql.DB, error) {
	dsn := "file:" + (&url.URL{Path: file}).EscapedPath() +
		fmt.Sprintf("?mode=%s&_pragma=busy_timeout(%d)", mode, sqliteBusyTimeoutMs)
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

func sqliteIdentifier(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}
