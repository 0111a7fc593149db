// Command charcha-ferretdb runs FerretDB v1 embedded as a library, on SQLite or on PostgreSQL.
// The local database launcher (server/src/localdb) builds it once and starts it when no
// MongoDB is configured. Usage:
//
//	charcha-ferretdb -listen 127.0.0.1:27017 -dir /abs/data/dir
//	charcha-ferretdb -listen 127.0.0.1:27017 -handler postgresql -postgresql-url postgres://user:pass@127.0.0.1:5432/db
//
// The PostgreSQL URL may instead come from the environment (FERRETDB_POSTGRESQL_URL), which
// keeps its password out of the process list.
//
// Beside FerretDB, a sweep gives every collection table an index that serves FerretDB's query
// for an `_id` equality, which FerretDB's own `_id` index does not: idindex.go on PostgreSQL,
// sqliteidindex.go on SQLite.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:27017", "TCP address to listen on")
	handler := flag.String("handler", "sqlite", "storage: sqlite or postgresql")
	dir := flag.String("dir", ".data/ferretdb", "directory for the SQLite files (sqlite handler)")
	pgURL := flag.String("postgresql-url", os.Getenv("FERRETDB_POSTGRESQL_URL"),
		"PostgreSQL connection string (postgresql handler); default $FERRETDB_POSTGRESQL_URL")
	flag.Parse()

	config := &ferretdb.Config{
		Listener: ferretdb.ListenerConfig{TCP: *listen},
		Handler:  *handler,
	}
	var sqliteDir string
	switch *handler {
	case "sqlite":
		var err error
		if sqliteDir, err = filepath.Abs(*dir); err != nil {
			fail(err)
		}
		if err := os.MkdirAll(sqliteDir, 0o755); err != nil {
			fail(err)
		}
		config.SQLiteURL = "file:" + sqliteDir + "/"
	case "postgresql":
		if *pgURL == "" {
			fail(fmt.Errorf("-handler postgresql needs -postgresql-url or FERRETDB_POSTGRESQL_URL"))
		}
		config.PostgreSQLURL = *pgURL
	default:
		fail(fmt.Errorf("unknown -handler %q (sqlite or postgresql)", *handler))
	}

	f, err := ferretdb.New(config)
	if err != nil {
		fail(err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	// Exit when the parent closes our stdin: the database never outlives its launcher.
	go func() {
		buf := make([]byte, 1)
		for {
			if _, err := os.Stdin.Read(buf); err != nil {
				stop()
				return
			}
		}
	}()

	switch *handler {
	case "postgresql":
		go keepIDIndexes(ctx, *pgURL)
	case "sqlite":
		go keepSQLiteIDIndexes(ctx, sqliteDir)
	}

	fmt.Println("ready", f.MongoDBURI())
	if err := f.Run(ctx); err != nil && ctx.Err() == nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
