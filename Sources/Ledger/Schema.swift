internal import GRDB

/// The database schema, as migrations. docs/LEDGER.md describes it column by column;
/// never edit a shipped migration, add a new one.
///
/// A result lives in its entry's row (the `output` … `error` columns, NULL until known)
/// rather than in a table of its own: one B-tree insert and one foreign-key probe less per
/// message, about 30% of SQLite's work on the append path.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: v1)
        }
        migrator.registerMigration("v2-public-state") { db in
            try db.execute(sql: v2)
        }
        migrator.registerMigration("v3-outside-message-ids") { db in
            try db.execute(sql: v3)
        }
        return migrator
    }

    static let v1 = """
        CREATE TABLE node_keys (
            id          INTEGER PRIMARY KEY CHECK (id = 1),
            algorithm   TEXT    NOT NULL CHECK (algorithm = 'ed25519'),
            private_key BLOB    NOT NULL CHECK (length(private_key) = 32),
            public_key  BLOB    NOT NULL CHECK (length(public_key) = 32),
            node_id     TEXT    NOT NULL,
            created_at  INTEGER NOT NULL
        );
        CREATE TABLE modules (
            id     TEXT NOT NULL PRIMARY KEY,
            source TEXT NOT NULL
        );
        CREATE TABLE processes (
            id         TEXT    NOT NULL PRIMARY KEY,
            module_id  TEXT    NOT NULL REFERENCES modules(id),
            owner      TEXT    NOT NULL,
            tags       TEXT    NOT NULL,
            parent     TEXT,
            created_at INTEGER NOT NULL
        );
        CREATE TABLE assignments (
            seq            INTEGER PRIMARY KEY,
            process        TEXT    NOT NULL REFERENCES processes(id),
            slot           INTEGER NOT NULL CHECK (slot >= 0),
            message_id     TEXT    NOT NULL,
            sender         TEXT    NOT NULL,
            owner          TEXT    NOT NULL,
            tags           TEXT    NOT NULL,
            data           TEXT    NOT NULL,
            timestamp      INTEGER NOT NULL,
            origin_process TEXT,
            origin_slot    INTEGER,
            origin_index   INTEGER,
            previous_hash  BLOB    NOT NULL CHECK (length(previous_hash) = 32),
            hash_chain     BLOB    NOT NULL CHECK (length(hash_chain) = 32),
            signature      BLOB    NOT NULL CHECK (length(signature) IN (0, 64)),
            output         TEXT,
            messages       TEXT,
            spawns         TEXT,
            error          TEXT,
            CHECK ((origin_process IS NULL) = (origin_slot IS NULL)
                   AND (origin_slot IS NULL) = (origin_index IS NULL)),
            CHECK ((output IS NULL) = (messages IS NULL) AND (messages IS NULL) = (spawns IS NULL)
                   AND (error IS NULL OR output IS NOT NULL))
        );
        CREATE UNIQUE INDEX assignments_by_slot ON assignments(process, slot);
        CREATE UNIQUE INDEX assignments_by_message ON assignments(message_id);
        CREATE UNIQUE INDEX assignments_by_origin
            ON assignments(origin_process, origin_slot, origin_index)
            WHERE origin_process IS NOT NULL;
        CREATE TABLE snapshots (
            id         INTEGER PRIMARY KEY,
            process    TEXT    NOT NULL,
            slot       INTEGER NOT NULL,
            bytes      BLOB    NOT NULL,
            state_hash BLOB    NOT NULL,
            FOREIGN KEY (process, slot) REFERENCES assignments(process, slot)
        );
        CREATE UNIQUE INDEX snapshots_by_slot ON snapshots(process, slot);
        """

    /// A process's public state (patch@1.0): the latest value of each key and the slot
    /// that set it. Derived data, like results: replaying the log rebuilds it.
    static let v2 = """
        CREATE TABLE public_state (
            process TEXT    NOT NULL REFERENCES processes(id),
            key     TEXT    NOT NULL,
            value   TEXT    NOT NULL,
            slot    INTEGER NOT NULL,
            PRIMARY KEY (process, key)
        ) WITHOUT ROWID;
        """

    /// Message ids are indexed only for messages from outside the node's processes
    /// (pushes, spawns, cron and host messages: no origin). A message a process emitted
    /// has an id derived from its origin, which `assignments_by_origin` already keeps
    /// unique; a random (hash) key in a second index cost one more B-tree page written
    /// per entry, a third of the writes of a game tick (docs/LEDGER.md).
    static let v3 = """
        DROP INDEX assignments_by_message;
        CREATE UNIQUE INDEX assignments_by_message ON assignments(message_id)
            WHERE origin_process IS NULL;
        """
}
