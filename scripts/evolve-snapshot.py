#!/usr/bin/env python3
"""Make a newer snapshot of a Synapse SQLite database, as a later `.backup` would give.

Usage: scripts/evolve-snapshot.py SNAPSHOT OUT [--percent P] [--seed S]

OUT is a copy of SNAPSHOT in which the server went on for a while (Python 3 standard
library only; the shared generator stays read-only):
  - P% more events (default 1): the newest events again under new event ids and stream
    orderings, with the rows Synapse writes beside each event (event_json, event_edges,
    event_auth, event_to_state_groups, event_search, event_relations), and P% more state
    groups (the newest again under new ids, with their state_groups_state and
    state_group_edges rows);
  - churn in tables Synapse rewrites, each as far as the snapshot has them:
    receipts_linearized (receipts moved on: updated, some gone, new ones),
    current_state_events (memberships changed), event_push_actions (some rotated away, new
    ones), user_ips (seen again), account_data (changed, new types), device_lists_stream
    (new changes). Per table: P% of the rows updated, P/5% deleted, P/2% inserted (copies
    of existing rows under new keys), never fewer than one of each.
Prints what it changed. Unique keys stay unique (new keys get a suffix, new stream ids
follow the table's maximum), so a port of OUT copies every row.
"""
import argparse
import random
import shutil
import sqlite3
import sys

# table -> (column updated in place, SQL expression of its new value; columns a copy makes unique)
CHURN = {
    "receipts_linearized": ("data", "'{\"ts\": ' || (abs(random()) % 1000000000) || '}'", ["user_id"]),
    "current_state_events": ("membership", "CASE membership WHEN 'join' THEN 'leave' ELSE 'join' END",
                             ["event_id", "state_key"]),
    "event_push_actions": ("actions", "'[\"notify\"]'", ["event_id"]),
    "user_ips": ("last_seen", "last_seen + 86400000", ["access_token"]),
    "account_data": ("content", "'{\"evolved\": true}'", ["account_data_type"]),
    "device_lists_stream": (None, None, ["device_id"]),
}
STREAM_COLUMNS = ("stream_id", "stream_ordering")


def columns(con, table):
    return [r[1] for r in con.execute(f'PRAGMA table_info("{table}")')]


def has_table(con, table):
    return con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone()


def copy_rows(con, table, rowids, unique, suffix):
    """Inserts copies of the rows under new keys; returns how many."""
    cols = columns(con, table)
    exprs = []
    for c in cols:
        if c in unique:
            exprs.append(f'"{c}" || {sql_string(suffix)}')
        elif c in STREAM_COLUMNS:
            exprs.append(f'(SELECT max("{c}") FROM "{table}") + row_number() OVER ()')
        else:
            exprs.append(f'"{c}"')
    quoted = ", ".join(f'"{c}"' for c in cols)
    marks = ", ".join("?" * len(rowids))
    con.execute(f'INSERT INTO "{table}" ({quoted}) SELECT {", ".join(exprs)} FROM "{table}"'
                f" WHERE rowid IN ({marks})", rowids)
    return len(rowids)


def sql_string(s):
    return "'" + s.replace("'", "''") + "'"


def sample(con, table, n, rng):
    rowids = [r[0] for r in con.execute(f'SELECT rowid FROM "{table}"')]
    return rng.sample(rowids, min(n, len(rowids)))


# tables keyed by an event's id that Synapse writes with the event: (table, its event column)
EVENT_ROWS = [("event_json", "event_id"), ("event_edges", "event_id"), ("event_auth", "event_id"),
              ("event_to_state_groups", "event_id"), ("event_search", "event_id"),
              ("event_relations", "event_id")]


def grow_events(con, percent, suffix):
    """The newest P% of events again under new ids, with their rows in EVENT_ROWS; returns counts."""
    total = con.execute("SELECT count(*) FROM events").fetchone()[0]
    n = max(1, total * percent // 100)
    newest = [r[0] for r in con.execute("SELECT rowid FROM events ORDER BY stream_ordering DESC LIMIT ?", (n,))]
    con.execute("CREATE TEMP TABLE copied AS SELECT event_id FROM events WHERE rowid IN"
                f" ({', '.join('?' * len(newest))})", newest)
    counts = {"events": copy_rows(con, "events", newest, ["event_id"], suffix)}
    for table, column in EVENT_ROWS:
        if has_table(con, table):
            rowids = [r[0] for r in con.execute(
                f'SELECT rowid FROM "{table}" WHERE "{column}" IN (SELECT event_id FROM copied)')]
            counts[table] = copy_rows(con, table, rowids, [column], suffix) if rowids else 0
    con.execute("DROP TABLE copied")
    return counts


def grow_state_groups(con, percent):
    """
    The newest state groups again under new ids, with their state and edges, as many as make
    P% of the state rows (a new group holds its changes, not the whole state); returns counts.
    """
    if not has_table(con, "state_groups") or not has_table(con, "state_groups_state"):
        return {}
    top = con.execute("SELECT coalesce(max(id), 0) FROM state_groups").fetchone()[0]
    want = max(1, con.execute("SELECT count(*) FROM state_groups_state").fetchone()[0] * percent // 100)
    first, rows = top, 0
    for group, count in con.execute("SELECT g.id, (SELECT count(*) FROM state_groups_state s"
                                    " WHERE s.state_group = g.id) FROM state_groups g ORDER BY g.id DESC"):
        first, rows = group, rows + count
        if rows >= want:
            break
    shift = top - first + 1  # the copies' ids follow the largest
    counts = {}
    for table, column in (("state_groups", "id"), ("state_groups_state", "state_group"),
                          ("state_group_edges", "state_group")):
        if not has_table(con, table):
            continue
        cols = columns(con, table)
        exprs = ", ".join(f'"{c}" + {shift}' if c == column else f'"{c}"' for c in cols)
        quoted = ", ".join(f'"{c}"' for c in cols)
        counts[table] = con.execute(f'INSERT INTO "{table}" ({quoted}) SELECT {exprs} FROM "{table}"'
                                    f' WHERE "{column}" >= ?', (first,)).rowcount
    return counts


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("snapshot")
    p.add_argument("out")
    p.add_argument("--percent", type=int, default=1)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args(argv)
    rng = random.Random(a.seed)
    suffix = f"~evolved{a.seed}"
    shutil.copyfile(a.snapshot, a.out)
    con = sqlite3.connect(a.out)
    with con:
        for table, n in {**grow_events(con, a.percent, suffix), **grow_state_groups(con, a.percent)}.items():
            print(f"{table}: {n:,} more")
        for table, (column, value, unique) in CHURN.items():
            if not has_table(con, table):
                continue
            total = con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
            if total == 0:
                continue
            updated = deleted = 0
            if column:
                rows = sample(con, table, max(1, total * a.percent // 100), rng)
                con.execute(f'UPDATE "{table}" SET "{column}" = {value} WHERE rowid IN ({", ".join("?" * len(rows))})',
                            rows)
                updated = len(rows)
                rows = sample(con, table, max(1, total * a.percent // 500), rng)
                con.execute(f'DELETE FROM "{table}" WHERE rowid IN ({", ".join("?" * len(rows))})', rows)
                deleted = len(rows)
            inserted = copy_rows(con, table, sample(con, table, max(1, total * a.percent // 200), rng), unique, suffix)
            print(f"{table}: {updated:,} updated, {deleted:,} deleted, {inserted:,} inserted (of {total:,})")
    con.close()


if __name__ == "__main__":
    main(sys.argv[1:])
