#!/usr/bin/env python3
"""Derives postgres-schema.yaml's facts from reference dumps (development aid).

For each schema version NN it compares the reference `pg_dump --schema-only` of a database
Synapse initialised (pg-vNN-schema.sql) with the dump of what the bare SQLite-to-PostgreSQL
translation produces (SchemaBuilder with no facts), and writes every difference as a fact:
column definitions and order, unlogged tables, SQLite-only indexes and constraints, and the
objects only PostgreSQL has; and from the init dump, the state Synapse leaves each sequence in
(its setval lines). Facts seen in some versions only get since/until bounds.

    derive-postgres-facts.py OUT.yaml 72:ref72.sql:raw72.sql:init72.sql:snapshot72.db ...

rawNN.sql: load the output of `SchemaScriptDump SNAPSHOT PREFIX --bare` (test classes) into an
empty database and dump it with the same pg_dump flags as the reference.
The init dump (pg-vNN-synapse-init.sql) and the snapshot give the schema deltas Synapse
records only on PostgreSQL (its `.sql.postgres` files).
"""
import re
import sqlite3
import sys

HEADER = re.compile(r"^-- Name: (.*); Type: (.*); Schema: .*; Owner: .*$")
SETVAL = re.compile(r"^SELECT pg_catalog\.setval\('public\.(\S+)', (\d+), (true|false)\);$", re.M)


def blocks(path):
    out = {}
    order = []
    key = None
    body = []
    for line in open(path, encoding="utf-8").read().split("\n"):
        m = HEADER.match(line)
        if m:
            if key:
                out[key] = "\n".join(body).strip()
            key = (m.group(1), m.group(2))
            order.append(key)
            body = []
        elif key and not line.startswith("\\") and line != "-- PostgreSQL database dump complete" \
                and not line.startswith("SET default_table_access_method"):
            body.append(line)
    if key:
        out[key] = "\n".join(body).strip()
    for k in out:
        out[k] = re.sub(r"^--\n", "", out[k]).strip()
    return out, order


def table_parts(sql):
    m = re.match(r"CREATE (UNLOGGED )?TABLE public\.(\S+) \(\n(.*?)\n\);(.*)", sql, re.S)
    unlogged, name, cols, rest = m.group(1) is not None, m.group(2), m.group(3), m.group(4).strip()
    columns = []
    checks = []
    for line in cols.split("\n"):
        line = line.strip().rstrip(",")
        if line.startswith("CONSTRAINT "):
            checks.append(line)
        else:
            cm = re.match(r'("(?:[^"]|"")*"|\S+) (.*)', line)
            columns.append((cm.group(1).strip('"'), cm.group(2)))
    return name, unlogged, columns, checks, rest


def constraint_key(sql):
    m = re.match(r"ALTER TABLE ONLY public\.(\S+)\s+ADD CONSTRAINT \S+ (PRIMARY KEY|UNIQUE|FOREIGN KEY) \(([^)]*)\)",
                 sql, re.S)
    return f"{m.group(1)} {m.group(2)} ({m.group(3)})"


def strip_schema(sql):
    return re.sub(r"\bpublic\.", "", sql)


def phase(kind, sql):
    if kind == "FUNCTION" or (kind == "SEQUENCE" and "ALTER TABLE" not in sql):
        return "before_tables"
    if kind in ("INDEX", "CONSTRAINT"):
        return "after_data"
    if kind == "FK CONSTRAINT":
        return "after_keys"
    return "after_tables"


def main():
    out_path = sys.argv[1]
    versions = []
    postgres_deltas = set()
    facts = {}  # (section, identity, value) -> set of versions

    def fact(section, ident, value, version):
        facts.setdefault((section, ident, value), set()).add(version)

    for arg in sys.argv[2:]:
        v, ref_path, raw_path, init_path, snapshot_path = arg.split(":")
        v = int(v)
        init = open(init_path, encoding="utf-8").read()
        rows = re.search(r"COPY public.applied_schema_deltas \(version, file\) FROM stdin;\n(.*?)\n\\\.", init, re.S)
        pg_deltas = {tuple(line.split("\t")) for line in rows.group(1).split("\n")}
        db = sqlite3.connect(f"file:{snapshot_path}?immutable=1", uri=True)
        sqlite_deltas = {(str(r[0]), r[1]) for r in db.execute("SELECT version, file FROM applied_schema_deltas")}
        db.close()
        for name, value, called in SETVAL.findall(init):
            fact("sequence_states", name, (int(value), called == "true"), v)
        for version, file in pg_deltas - sqlite_deltas:
            if not file.endswith(".sql.postgres"):
                raise SystemExit(f"v{v}: delta {file} only on PostgreSQL but not a .sql.postgres file")
            postgres_deltas.add((int(version), file))
        for version, file in sqlite_deltas - pg_deltas:
            if not file.endswith(".sql.sqlite"):
                raise SystemExit(f"v{v}: delta {file} only on SQLite but not a .sql.sqlite file")
        versions.append(v)
        ref, ref_order = blocks(ref_path)
        raw, _ = blocks(raw_path)
        for key in ref_order:
            name, kind = key
            sql = ref[key]
            if kind == "TABLE" and key in raw:
                t, unlogged, rcols, rchecks, rrest = table_parts(sql)
                _, _, wcols, wchecks, wrest = table_parts(raw[key])
                wdefs = dict(wcols)
                for cname, cdef in rcols:
                    if wdefs.get(cname) != cdef:
                        fact("columns", f"{t}.{cname}", cdef, v)
                if [c for c, _ in rcols] != [c for c, _ in wcols]:
                    fact("column_order", t, tuple(c for c, _ in rcols), v)
                if unlogged:
                    fact("unlogged_tables", t, None, v)
                if rchecks != wchecks:
                    fact("checks", t, tuple(rchecks), v)
                if rrest and rrest != wrest:
                    fact("objects", name, ("after_tables", strip_schema(rrest)), v)
                continue
            if key in raw and raw[key] == sql:
                continue
            if key in raw and kind == "INDEX":
                fact("sqlite_only_indexes", name, None, v)
            elif key in raw and kind in ("CONSTRAINT", "FK CONSTRAINT"):
                fact("sqlite_only_constraints", constraint_key(raw[key]), None, v)
            elif key in raw:
                raise SystemExit(f"v{v}: {key} differs and is not an index or constraint")
            fact("objects", f"{kind} {name}", (phase(kind, sql), strip_schema(sql)), v)
        for key, sql in raw.items():
            if key in ref:
                continue
            name, kind = key
            if kind == "INDEX":
                fact("sqlite_only_indexes", name, None, v)
            elif kind in ("CONSTRAINT", "FK CONSTRAINT"):
                fact("sqlite_only_constraints", constraint_key(sql), None, v)
            else:
                raise SystemExit(f"v{v}: {key} only in the translation")
    write(out_path, sorted(versions), facts, sorted(postgres_deltas))


def bounds(vs, versions):
    """since/until conditions for a set of reference versions (contiguous runs)."""
    runs = []
    for v in versions:
        if v in vs:
            if runs and runs[-1][1] == versions[versions.index(v) - 1]:
                runs[-1][1] = v
            else:
                runs.append([v, v])
    out = []
    for lo, hi in runs:
        cond = {}
        if lo != versions[0]:
            cond["since"] = lo
        if hi != versions[-1]:
            cond["until"] = hi
        out.append(cond)
    return out


def q(s):
    return "'" + s.replace("'", "''") + "'"


def cond_text(cond):
    return "".join(f", {k}: {val}" for k, val in cond.items())


def write(path, versions, facts, postgres_deltas):
    sections = {}
    for (section, ident, value), vs in facts.items():
        for cond in bounds(vs, versions):
            sections.setdefault(section, []).append((ident, value, cond))
    lines = ["# Generated by scripts/derive-postgres-facts.py from reference dumps; see docs/SCHEMA.md.",
             f"supported_versions: [{', '.join(map(str, versions))}]", ""]
    lines.append("# PostgreSQL column definitions that differ from the translated SQLite ones.")
    lines.append("columns:")
    for ident, value, cond in sorted(sections.get("columns", []), key=lambda x: (x[0], str(x[2]))):
        lines.append(f"  - {{column: {ident}, def: {q(value)}{cond_text(cond)}}}")
    lines.append("")
    lines.append("# Tables whose columns PostgreSQL holds in another order (or with other columns).")
    lines.append("column_order:")
    for ident, value, cond in sorted(sections.get("column_order", []), key=lambda x: (x[0], str(x[2]))):
        lines.append(f"  - {{table: {ident}, columns: [{', '.join(value)}]{cond_text(cond)}}}")
    lines.append("")
    lines.append("# Tables whose CHECK constraints on PostgreSQL differ from the snapshot's (all of them listed).")
    lines.append("checks:")
    for ident, value, cond in sorted(sections.get("checks", []), key=lambda x: (x[0], str(x[2]))):
        lines.append(f"  - {{table: {ident}, checks: [{', '.join(q(c) for c in value)}]{cond_text(cond)}}}")
    for section, comment in (("unlogged_tables", "Tables Synapse creates UNLOGGED on PostgreSQL."),
                             ("sqlite_only_indexes", "Indexes of the snapshot that PostgreSQL does not have"
                              " (or has in another form, given under objects)."),
                             ("sqlite_only_constraints", "Constraints of the snapshot that PostgreSQL does not"
                              " have (or has under another name or form, given under objects).")):
        lines.append("")
        lines.append("# " + comment)
        lines.append(f"{section}:")
        for ident, _, cond in sorted(sections.get(section, []), key=lambda x: (x[0], str(x[2]))):
            lines.append(f"  - {{name: {q(ident)}{cond_text(cond)}}}" if cond else f"  - {q(ident)}")
    lines.append("")
    lines.append("# Objects only PostgreSQL has. phase: before_tables, after_tables, after_data, after_keys.")
    lines.append("objects:")
    order = {"before_tables": 0, "after_tables": 1, "after_data": 2, "after_keys": 3}
    for ident, (ph, sql), cond in sorted(sections.get("objects", []), key=lambda x: (order[x[1][0]], not x[0].startswith("TABLE "), x[0], str(x[2]))):
        lines.append(f"  - name: {q(ident)}")
        lines.append(f"    phase: {ph}")
        for k, val in cond.items():
            lines.append(f"    {k}: {val}")
        lines.append("    sql: |")
        for l in sql.split("\n"):
            lines.append(("      " + l).rstrip())
    lines.append("")
    lines.append("# The state (setval) Synapse leaves each sequence in on a fresh database, set after the tables.")
    lines.append("sequence_states:")
    for ident, (value, called), cond in sorted(sections.get("sequence_states", []), key=lambda x: (x[0], str(x[2]))):
        lines.append(f"  - {{name: {ident}, value: {value}, called: {str(called).lower()}{cond_text(cond)}}}")
    lines.append("")
    lines.append("# Schema deltas Synapse applies (and records) only on PostgreSQL; those of a snapshot's")
    lines.append("# recorded range of delta versions are recorded in the target, and no .sql.sqlite one.")
    lines.append("postgres_only_deltas:")
    for version, file in postgres_deltas:
        lines.append(f"  - {{version: {version}, file: {q(file)}}}")
    open(path, "w", encoding="utf-8").write("\n".join(lines) + "\n")


main()
