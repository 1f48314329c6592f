#!/usr/bin/env python3
"""Helper for scripts/bench (Python 3 standard library only).

PostgreSQL is reached through `psql` with the usual libpq environment
(PGHOST, PGPORT, PGUSER, PGDATABASE, ...); SQLite through the sqlite3 module,
opened read-only.

Subcommands:
  free-port                     print a free TCP port on 127.0.0.1
  plan SQLITE_DB PLAN_DIR       decide what the baseline copies and how
  post-data PLAN_DIR            save the target's indexes/constraints as SQL
                                (drop script, two balanced create scripts, FKs)
  verify PLAN_DIR               compare row counts of the ported tables
  findings REPORT_JSONL         summarise the port's repaired/rejected values
  report RESULTS_TSV SQLITE_DB  print the results table
  view-cost BASE OTHER LABEL [BASE_LABEL]
                                compare two files of wall times (seconds, one a line)
  eta PORT_OUT END_EPOCH        how each progress line's ETA compared with the real end
"""
import os
import socket
import sqlite3
import subprocess
import sys

# Tables the port skips by design (src/main/resources/dev/synport/synapse/tables.yaml);
# they are left out of the row-count check, and of the port's rows.
PORT_SKIPS = {
    "schema_version", "applied_schema_deltas", "background_updates",
    "user_directory", "user_directory_search", "users_who_share_private_rooms",
    "users_in_public_rooms", "ui_auth_sessions", "ui_auth_sessions_credentials",
    "ui_auth_sessions_ips", "worker_locks", "worker_read_write_locks",
    "worker_read_write_locks_mode",
}
# Never copied by the baseline either: Synapse's bookkeeping of the schema itself.
BASELINE_SKIPS = {"schema_version", "applied_schema_deltas"}
FTS_SHADOW_SUFFIXES = ("_content", "_segments", "_segdir", "_docsize", "_stat",
                       "_data", "_idx", "_config")
STAGING_PREFIX = "bench_fts_"


def psql(sql):
    """Run one SQL string through psql and return the rows as lists of strings."""
    out = subprocess.run(
        ["psql", "-X", "-q", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", sql],
        check=True, capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.splitlines() if line]


def qi(name):
    """Quote an identifier (same rules in SQLite and PostgreSQL)."""
    return '"' + name.replace('"', '""') + '"'


def open_sqlite(path):
    return sqlite3.connect("file:" + os.path.abspath(path) + "?mode=ro", uri=True)


def sqlite_tables(con):
    """Return ({plain table: [columns]}, {FTS virtual table: [columns]})."""
    rows = con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'").fetchall()
    virtual = [n for n, sql in rows if (sql or "").upper().startswith("CREATE VIRTUAL TABLE")]
    plain, fts = {}, {}
    for name, _ in rows:
        if name.startswith("sqlite_"):
            continue
        if any(name == v + s for v in virtual for s in FTS_SHADOW_SUFFIXES):
            continue
        cols = [r[1] for r in con.execute(f"PRAGMA table_info({qi(name)})")]
        (fts if name in virtual else plain)[name] = cols
    return plain, fts


def pg_columns():
    """{table: {column: type}} for the ordinary tables of schema public (no generated columns)."""
    tables = {}
    for table, col, typ in psql(
            "SELECT c.relname, a.attname, t.typname FROM pg_attribute a"
            " JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
            " JOIN pg_type t ON t.oid = a.atttypid"
            " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND a.attnum > 0"
            " AND NOT a.attisdropped AND a.attgenerated = '' ORDER BY c.relname, a.attnum"):
        tables.setdefault(table, {})[col] = typ
    return tables


def select_expr(col, pg_type):
    if pg_type == "bytea":
        # sqlite3 -csv prints blobs raw (cut at the first NUL); send PostgreSQL's hex form.
        return f"CASE WHEN {qi(col)} IS NULL THEN NULL ELSE '\\x' || hex({qi(col)}) END"
    return qi(col)  # booleans stay 0/1: PostgreSQL's boolean input accepts both


def cmd_plan(db, plan_dir):
    con = open_sqlite(db)
    plain, fts = sqlite_tables(con)
    pg = pg_columns()
    os.makedirs(os.path.join(plan_dir, "select"), exist_ok=True)
    os.makedirs(os.path.join(plan_dir, "copy"), exist_ok=True)
    notes, staging, entries = [], [], []

    for table, scols in sorted({**plain, **fts}.items()):
        if table in BASELINE_SKIPS or table not in pg:
            if table not in BASELINE_SKIPS:
                notes.append(f"{table}: not in PostgreSQL, not copied")
            continue
        if table in fts:
            target = STAGING_PREFIX + table
            cols = scols
            staging.append(f"CREATE TABLE {qi(target)} ("
                           + ", ".join(f"{qi(c)} text" for c in cols) + ");")
            kind, exprs = "fts", [qi(c) for c in cols]
            notes.append(f"{table}: FTS table, its columns ({', '.join(cols)}) copied as text"
                         f" into {target}")
        else:
            target = table
            # SQLite names are case-insensitive ("Lock" in SQLite is "lock" in PostgreSQL)
            pgcols = {c.lower(): (c, t) for c, t in pg[table].items()}
            both = [c for c in scols if c.lower() in pgcols]
            dropped = [c for c in scols if c.lower() not in pgcols]
            if dropped:
                notes.append(f"{table}: SQLite-only columns not copied: {', '.join(dropped)}")
            cols = [pgcols[c.lower()][0] for c in both]
            kind, exprs = "plain", [select_expr(c, pgcols[c.lower()][1]) for c in both]
        rows = con.execute(f"SELECT count(*) FROM {qi(table)}").fetchone()[0]
        with open(os.path.join(plan_dir, "select", table + ".sql"), "w") as f:
            f.write(f"SELECT {', '.join(exprs)} FROM {qi(table)};\n")
        with open(os.path.join(plan_dir, "copy", table + ".txt"), "w") as f:
            f.write(f"\\copy {qi(target)}({', '.join(qi(c) for c in cols)}) FROM STDIN WITH (FORMAT csv)\n")
        entries.append((table, kind, target, rows, 0 if table in PORT_SKIPS else 1))

    entries.sort(key=lambda e: (-e[3], e[0]))  # biggest first: two workers finish together
    with open(os.path.join(plan_dir, "tables.tsv"), "w") as f:
        for e in entries:
            f.write("\t".join(map(str, e)) + "\n")
    with open(os.path.join(plan_dir, "staging.sql"), "w") as f:
        f.write("\n".join(staging) + "\n")
    with open(os.path.join(plan_dir, "notes.txt"), "w") as f:
        f.write("\n".join(notes) + ("\n" if notes else ""))


def cmd_post_data(plan_dir):
    """What pg_dump puts in --section=post-data, minus triggers: indexes and PK/unique/
    exclusion/FK constraints. CHECK and NOT NULL constraints stay on the tables."""
    weights = {}
    with open(os.path.join(plan_dir, "tables.tsv")) as f:
        for line in f:
            table, _, _, rows, _ = line.rstrip("\n").split("\t")
            weights[table] = int(rows)
    cons = psql(
        "SELECT c.relname, k.conname, k.contype, pg_get_constraintdef(k.oid) FROM pg_constraint k"
        " JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = 'public' AND k.contype IN ('p', 'u', 'x', 'f') ORDER BY 1, 2")
    idx = psql(
        "SELECT i.tablename, i.indexname, i.indexdef FROM pg_indexes i"
        " WHERE i.schemaname = 'public' AND NOT EXISTS (SELECT 1 FROM pg_constraint k"
        "   WHERE k.conindid = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass"
        "   AND k.contype IN ('p', 'u', 'x')) ORDER BY 1, 2")

    drop_fk, drop_con, drop_idx, create_fk = [], [], [], []
    per_table = {}
    for table, name, contype, definition in cons:
        stmt_drop = f"ALTER TABLE ONLY public.{qi(table)} DROP CONSTRAINT {qi(name)};"
        stmt_add = f"ALTER TABLE ONLY public.{qi(table)} ADD CONSTRAINT {qi(name)} {definition};"
        if contype == "f":
            drop_fk.append(stmt_drop)
            create_fk.append(stmt_add)
        else:
            drop_con.append(stmt_drop)
            per_table.setdefault(table, []).append(stmt_add)
    for table, name, definition in idx:
        drop_idx.append(f"DROP INDEX public.{qi(name)};")
        per_table.setdefault(table, []).append(definition + ";")

    # Two sessions build in parallel; a table's statements stay in one session (no lock
    # waits), tables are dealt biggest first to the less loaded session.
    bins, load = [[], []], [0, 0]
    for table in sorted(per_table, key=lambda t: -weights.get(t, 0)):
        i = 0 if load[0] <= load[1] else 1
        bins[i].extend(per_table[table])
        load[i] += weights.get(table, 0) + 1
    files = {"drop.sql": drop_fk + drop_con + drop_idx, "create-0.sql": bins[0],
             "create-1.sql": bins[1], "create-fk.sql": create_fk}
    for name, stmts in files.items():
        with open(os.path.join(plan_dir, name), "w") as f:
            f.write("\n".join(stmts) + "\n")
    print(f"{len(cons) - len(create_fk)} PK/unique/exclusion constraints, {len(idx)} indexes,"
          f" {len(create_fk)} foreign keys")


def cmd_verify(plan_dir):
    """Row counts of the port's tables in PostgreSQL against the snapshot's."""
    entries = []
    with open(os.path.join(plan_dir, "tables.tsv")) as f:
        for line in f:
            table, _, _, rows, in_port = line.rstrip("\n").split("\t")
            if in_port == "1":
                entries.append((table, int(rows)))
    sql = " UNION ALL ".join(f"SELECT '{t}', count(*) FROM public.{qi(t)}" for t, _ in entries)
    pg = {t: int(n) for t, n in psql(sql)}
    mismatches = [(t, n, pg[t]) for t, n in entries if pg[t] != n]
    total_sqlite = sum(n for _, n in entries)
    total_pg = sum(pg.values())
    print(f"row check: {len(entries)} tables, SQLite {total_sqlite:,} rows, PostgreSQL {total_pg:,} rows,"
          f" {len(mismatches)} mismatches")
    for t, n, m in mismatches:
        print(f"  MISMATCH {t}: SQLite {n:,}, PostgreSQL {m:,} ({m - n:+,})")
    with open(os.path.join(plan_dir, "port-rows"), "w") as f:
        f.write(f"{total_pg}\n")
    return 1 if mismatches else 0


def cmd_findings(path):
    import collections
    import json
    import re
    counts = collections.Counter()
    with open(path) as f:
        for line in f:
            d = json.loads(line)
            reason = re.sub(r" Detail:.*", "", d.get("reason") or "")[:150]
            counts[(d.get("action"), d.get("table"), d.get("column"), reason)] += 1
    for (action, table, column, reason), n in sorted(counts.items(), key=lambda kv: -kv[1]):
        where = table + (f".{column}" if column else "")
        print(f"{action} {n:,} in {where}: {reason}")


def cmd_report(results, db):
    size_mb = os.path.getsize(db) / 1e6
    rows = []
    with open(results) as f:
        for line in f:
            method, wall, nrows, rss_kb = line.rstrip("\n").split("\t")
            rows.append((method, float(wall), int(nrows), rss_kb))
    base = next((r[1] for r in rows if r[0].startswith("baseline")), None)
    first = next((r[1] for r in rows if r[0].startswith("synapse-port-db (")), None)
    header = ("method", "wall s", "rows", "rows/s", "MB/s", "peak RSS", "wall vs baseline", "vs first port")
    table = [header]
    for method, wall, nrows, rss_kb in rows:
        rerun = " rerun" in method
        rss = f"{int(rss_kb) / 1024:,.0f} MB" if rss_kb.isdigit() else rss_kb
        ratio = f"{wall / base:.2f}" if base else "-"
        to_first = f"{wall / first:.2f}" if first and rerun else "-"
        table.append((method, f"{wall:.1f}", f"{nrows:,}", f"{nrows / wall:,.0f}",
                      "-" if rerun else f"{size_mb / wall:.1f}", rss, ratio, to_first))
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    for n, r in enumerate(table):
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))))
        if n == 0:
            print("  ".join("-" * w for w in widths))
    print("(reruns: rows = rows copied by the rerun; each rerun ports into the target the runs above it filled)")


def cmd_view_cost(plain_file, view_file, label, base="plain"):
    """Median wall times of the base runs and the other runs, and their ratio."""
    import statistics

    def walls(path):
        with open(path) as f:
            return [float(line) for line in f if line.strip()]

    plain, view = walls(plain_file), walls(view_file)
    width = max(len(base), len(label))
    for name, times in ((base, plain), (label, view)):
        runs = "  ".join(f"{t:.2f}" for t in times)
        print(f"{name:>{width}}: median {statistics.median(times):8.2f} s   (runs: {runs})")
    ratio = statistics.median(view) / statistics.median(plain)
    print(f"{'ratio':>{width}}: {ratio:.3f} ({(ratio - 1) * 100:+.1f}% wall time with {label})")


def cmd_eta(port_out, end_epoch):
    """Each plain 'overall:' line's ETA against the time the port really took from then.

    The lines carry a timestamp to the second, so each actual figure is within a second.
    """
    import datetime
    import re
    line_re = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) overall: (\d+)% .* ETA ([^;]+);")
    end = float(end_epoch)
    print(f"{'done':>5}  {'ETA said':>9}  {'took':>7}  ratio")
    with open(port_out) as f:
        for line in f:
            m = line_re.match(line)
            if not m:
                continue
            at = datetime.datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S").timestamp()
            said = duration_seconds(m.group(3))
            took = end - at
            ratio = f"{took / said:.2f}" if said else "-"
            print(f"{m.group(2) + '%':>5}  {m.group(3):>9}  {took:6.1f}s  {ratio}")


def duration_seconds(text):
    """'1h02m', '3m05s', '12.3s' as seconds; None for '-' (no ETA yet)."""
    import re
    if text == "-":
        return None
    total = 0.0
    for amount, unit in re.findall(r"([\d.]+)([hms])", text):
        total += float(amount) * {"h": 3600, "m": 60, "s": 1}[unit]
    return total


def main(argv):
    if not argv:
        sys.exit(__doc__)
    cmd, args = argv[0], argv[1:]
    if cmd == "free-port":
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            print(s.getsockname()[1])
    elif cmd == "plan":
        cmd_plan(*args)
    elif cmd == "post-data":
        cmd_post_data(*args)
    elif cmd == "verify":
        sys.exit(cmd_verify(*args))
    elif cmd == "findings":
        cmd_findings(*args)
    elif cmd == "report":
        cmd_report(*args)
    elif cmd == "view-cost":
        cmd_view_cost(*args)
    elif cmd == "eta":
        cmd_eta(*args)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
