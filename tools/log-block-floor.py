#!/usr/bin/env python3
"""What SQLite on this machine can store of a log, when each row holds a block of B
consecutive entries of one process instead of one entry (docs/PERFORMANCE.md, session 9,
"Why issue 8 is blocked"). Entries of ~450 bytes (a game-sized assignment and a result),
64 processes, WAL with synchronous=FULL, commits of ~1,000 entries, as the ledger's writer.
Only the block table and its (process, first slot) key: the origin and message-id
indexes the ledger keeps for exactly-once would need a form of their own.

    tools/log-block-floor.py [ENTRIES]      # prints entries/s for B = 1, 8, 32, 128
"""
import base64
import hashlib
import json
import os
import sqlite3
import sys
import tempfile
import time

PROCESSES = 64


def entry(n):
    message_id = base64.urlsafe_b64encode(hashlib.sha256(str(n).encode()).digest()).decode()[:43]
    fields = ["bench-process-%04d" % (n % PROCESSES), n // PROCESSES, message_id, "bench-sender",
              "bench-owner", [["Action", "Move"], ["Data-Protocol", "ao"], ["Variant", "ao.TN.1"]],
              '{"x":12,"y":-7,"fleet":"f-1234","speed":3}', n, None, "", "[]", "[]"]
    return json.dumps(fields).encode() + os.urandom(64)  # + previous hash and chain link


def entries_per_second(count, block):
    with tempfile.TemporaryDirectory() as directory:
        db = sqlite3.connect(os.path.join(directory, "log.db"), isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.execute("PRAGMA cache_size=-65536")
        db.execute("CREATE TABLE blocks (seq INTEGER PRIMARY KEY, process TEXT NOT NULL, "
                   "first_slot INTEGER NOT NULL, last_slot INTEGER NOT NULL, entries BLOB NOT NULL, "
                   "hash_chain BLOB NOT NULL)")
        db.execute("CREATE UNIQUE INDEX blocks_by_slot ON blocks(process, first_slot)")
        by_process = {}
        for n in range(count):
            by_process.setdefault(n % PROCESSES, []).append((n // PROCESSES, entry(n)))
        rows = []
        for process, slots in by_process.items():
            for i in range(0, len(slots), block):
                part = slots[i:i + block]
                rows.append(("bench-process-%04d" % process, part[0][0], part[-1][0],
                             b"".join(e for _, e in part), os.urandom(32)))
        rows.sort(key=lambda row: (row[1], row[0]))  # the processes interleaved, as in a run
        per_commit = max(1, 1000 // block)
        start = time.perf_counter()
        for i in range(0, len(rows), per_commit):
            db.execute("BEGIN IMMEDIATE")
            db.executemany("INSERT INTO blocks (process, first_slot, last_slot, entries, hash_chain) "
                           "VALUES (?, ?, ?, ?, ?)", rows[i:i + per_commit])
            db.execute("COMMIT")
        seconds = time.perf_counter() - start
        db.close()
        return count / seconds


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    for block in (1, 8, 32, 128):
        print("entries per row %4d: %9.0f entries/s" % (block, entries_per_second(count, block)))
