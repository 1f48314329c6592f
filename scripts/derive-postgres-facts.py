#!/usr/bin/env python3
"""Derives postgres-schema.yaml's facts from reference dumps (development aid).

For each schema version NN it compares the reference `pg_dump --schema-only` of a database
Synapse initialised (pg-vNN-schema.sql) with the dump of what the bare SQLite-to-PostgreSQL
translation produces (SchemaBuilder with no facts), and writes every difference as a fact:
column definitions and order, unlogged tables, SQLite-only indexes and constraints, and the
objects only PostgreSQL has; and from the init dump, the state Synapse leaves each sequence in
(its setval lines).

A fact seen in some reference versions only is keyed, where Synapse's history allows, by the
schema delta that brought it (or took it away): Synapse's git history (--synapse-git, a clone
or mirror) gives the release that first shipped each delta file, and the delta files shipped
between two references are searched for the fact's name. Other releases of a reference's
schema version record fewer or more of those deltas, so a condition on the delta holds for
them where a version bound would not. A fact no delta can be found for keeps a since/until
bound on the schema version (listed on stderr). Each PostgreSQL-only delta (.sql.postgres,
never recorded in a SQLite snapshot) gets a witness: a delta SQLite records that came in the
same release (or, when that release brought none, the last one before it that did).

    derive-postgres-facts.py --synapse-git DIR OUT.yaml 72@v1.66.0:ref72.sql:raw72.sql:init72.sql:snapshot72.db ...

rawNN.sql: load the output of `SchemaScriptDump SNAPSHOT PREFIX --bare` (test classes) into an
empty database and dump it with the same pg_dump flags as the reference.
The init dump (pg-vNN-synapse-init.sql) and the snapshot give the schema deltas Synapse
records only on PostgreSQL (its `.sql.postgres` files).
"""
import re
import sqlite3
import subprocess
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
    for k in out:  # without the comment lines that open this block and the next one
        out[k] = re.sub(r"\n+--$", "", re.sub(r"^--\n", "", out[k])).strip()
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


RELEASE = re.compile(r"v1\.(\d+)\.(\d+)")
DELTA_PATH = re.compile(r"synapse/storage/schema/(?:main|state|common)/delta/(\d+)/(.+)$")


class History:
    """Which Synapse release first shipped each schema delta file (from git tags v1.N.0 on)."""

    def __init__(self, git, first_tag, first_schema):
        self.git = git
        self.first_schema = first_schema
        tags = [t for t in self._run("tag").split() if RELEASE.fullmatch(t)]
        key = lambda t: tuple(map(int, RELEASE.fullmatch(t).groups()))
        self.tags = sorted((t for t in tags if key(t) >= key(first_tag)), key=key)
        self.first = {}  # "NN/file" -> index into tags
        self.path = {}   # "NN/file" -> path in the tree
        for i, tag in enumerate(self.tags):
            init = self._run("show", f"{tag}:synapse/storage/schema/__init__.py")
            schema = int(re.search(r"^SCHEMA_VERSION = (\d+)", init, re.M).group(1))
            for path in self._run("ls-tree", "-r", "--name-only", tag, "synapse/storage/schema/").split("\n"):
                m = DELTA_PATH.match(path)
                if m and int(m.group(1)) <= schema and not m.group(2).endswith(".md"):
                    name = f"{m.group(1)}/{m.group(2)}"
                    if name not in self.first:
                        self.first[name] = i
                        self.path[name] = path

    def _run(self, *args):
        return subprocess.run(["git", "--git-dir", self.git, *args], check=True, capture_output=True,
                              text=True).stdout

    def index(self, tag):
        return self.tags.index(tag)

    def shipped(self, lo, hi):
        """Delta files first shipped after release index lo, up to and including hi."""
        return sorted((d for d, i in self.first.items() if lo < i <= hi), key=lambda d: (self.first[d], d))

    def text(self, delta):
        return self._run("show", f"{self.tags[self.first[delta]]}:{self.path[delta]}")

    def witness(self, delta):
        """Its .sql.sqlite twin, or a delta SQLite records shipped with it or, when its release shipped none, in the
        latest release before it that did: a snapshot of a release in between is taken for the
        newer one (Synapse's reference is the last release of a schema version)."""
        twin = delta.removesuffix(".postgres") + ".sqlite"
        if twin in self.first:  # its SQLite twin: recorded exactly when it is
            return twin
        for i in range(self.first[delta], -1, -1):
            recorded = sorted(d for d, j in self.first.items() if j == i and not d.endswith(".sql.postgres"))
            same_dir = [d for d in recorded if d.split("/")[0] == delta.split("/")[0]]
            if same_dir or recorded:
                return (same_dir or recorded)[0]
        return None


def search_words(section, ident, value, owners):
    """Names to look for in a delta file that brings or removes the fact, most telling first."""
    if section == "columns":
        return [ident.split(".")[1]]
    if section == "checks":
        return [re.match(r"CONSTRAINT (\S+)", value[0]).group(1)]
    if section == "sqlite_only_constraints":
        return [w.strip() for w in re.search(r"\((.*)\)", ident).group(1).split(",")][:1]
    if section in ("sequence_states", "sqlite_only_indexes"):
        return [ident] + owners.get(ident, [])
    if section == "objects":
        kind, _, name = ident.rpartition(" ")
        if ident.startswith("COMMENT "):
            return ["COMMENT ON"]
        if kind == "TABLE":
            return re.findall(r"SET \((\w+)", value[1]) or [name]
        # then the table the object belongs to (an identity column's sequence, an index)
        return [name.split(".")[-1].replace("()", "")] + re.findall(r"(?:ALTER TABLE|ON) (?:ONLY )?(\w+)", value[1])[:1]
    return [ident]  # table and index names


def deltas_for(history, lo_tag, hi_tag, section, ident, value, owners):
    """Deltas that may have brought (or taken away) the fact between two reference releases, most
    likely first: those shipped in between that name it, or the deltas of the one release in between."""
    # Deltas of the first reference's directory or older are not recorded by snapshots made
    # from its full schema (a fresh database skips them), so only newer ones can key a fact.
    candidates = [d for d in history.shipped(history.index(lo_tag), history.index(hi_tag))
                  if int(d.split("/")[0]) > history.first_schema]
    out = []
    for word in search_words(section, ident, value, owners):
        out += [d for d in candidates if d not in out and word in history.text(d)
                and (not ident.startswith("COMMENT ") or ident.split(" ")[-1].split(".")[0] in history.text(d))]
    if len({history.first[d] for d in candidates}) == 1:
        out += [d for d in candidates if d not in out]
    return out


def main():
    if len(sys.argv) < 4 or sys.argv[1] != "--synapse-git":
        raise SystemExit(__doc__)
    out_path = sys.argv[3]
    versions = []
    tags = {}
    recorded = set()  # every delta file a reference snapshot records
    owners = {}  # index or sequence name -> [its table]
    recorded_at = {}  # reference version -> the delta files its snapshot or its PostgreSQL database records
    tables_at = {}  # reference version -> its snapshot's tables
    postgres_deltas = set()
    facts = {}  # (section, identity, value) -> set of versions

    def fact(section, ident, value, version):
        facts.setdefault((section, ident, value), set()).add(version)

    for arg in sys.argv[4:]:
        v, ref_path, raw_path, init_path, snapshot_path = arg.split(":")
        v, tag = v.split("@")
        v = int(v)
        tags[v] = tag
        init = open(init_path, encoding="utf-8").read()
        rows = re.search(r"COPY public.applied_schema_deltas \(version, file\) FROM stdin;\n(.*?)\n\\\.", init, re.S)
        pg_deltas = {tuple(line.split("\t")) for line in rows.group(1).split("\n")}
        db = sqlite3.connect(f"file:{snapshot_path}?immutable=1", uri=True)
        sqlite_deltas = {(str(r[0]), r[1]) for r in db.execute("SELECT version, file FROM applied_schema_deltas")}
        tables_at[v] = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        db.close()
        recorded |= {(int(version), file) for version, file in sqlite_deltas}
        recorded_at[v] = {file for _, file in sqlite_deltas | pg_deltas}
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
        for (name, kind), sql in list(ref.items()) + list(raw.items()):
            owner = re.search(r"(?:ALTER TABLE|INDEX \S+ ON) (?:ONLY )?public\.(\w+)", sql)
            if kind in ("INDEX", "SEQUENCE") and owner:
                owners[name] = [owner.group(1)]
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
    history = History(sys.argv[2], tags[min(tags)], min(tags))
    write(out_path, sorted(versions), facts, sorted(postgres_deltas), sorted(recorded),
          lambda section, ident, value, cond: keyed(history, tags, sorted(versions), recorded_at, tables_at, owners, section, ident, value,
                                                  cond),
          history)


def keyed(history, tags, versions, recorded_at, tables_at, owners, section, ident, value, cond):
    """The fact's version bounds replaced by the deltas that brought and took it away, where they show."""
    out = {}
    for bound, delta_key in (("since", "delta"), ("until", "without_delta")):
        if bound not in cond:
            continue
        v = cond[bound]
        i = versions.index(v)
        lo, hi = (versions[i - 1], v) if bound == "since" else (v, versions[i + 1])
        # the first delta recorded by exactly the references the bound says (deltas do vanish
        # from Synapse's tree, e.g. 78/04_read_write_locks_triggers in 1.89)
        delta = next((d for d in deltas_for(history, tags[lo], tags[hi], section, ident, value, owners)
                      if all((d in recorded_at[r]) == (r >= v if bound == "since" else r > v) for r in versions)),
                     None)
        if delta:
            out[delta_key] = q(delta)
            continue
        table = owner_table(section, ident, owners)
        if bound == "since" and table and table not in tables_at[lo] and all(table in tables_at[r]
                                                                            for r in versions if r >= v):
            out["table"] = table  # the table came with it
            continue
        out[bound] = v
        print(f"{section} {ident}: no delta found between {tags[lo]} and {tags[hi]}; kept {bound}: {v}",
              file=sys.stderr)
    return out


def owner_table(section, ident, owners):
    """The table a fact is about, where its name says."""
    if section in ("columns", "objects") and ("." in ident or ident.startswith(("TRIGGER ", "FK CONSTRAINT "))):
        return ident.split(" ")[-2] if ident.startswith(("TRIGGER ", "FK CONSTRAINT ")) else ident.split(" ")[-1].split(".")[0]
    if section == "unlogged_tables":  # (checks and column_order name their table already)
        return ident
    if section == "sqlite_only_constraints":
        return ident.split(" ")[0]
    name = ident.split(" ")[-1]
    return (owners.get(name) or [None])[0]


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


def write(path, versions, facts, postgres_deltas, recorded, key, history):
    sections = {}
    for (section, ident, value), vs in facts.items():
        for cond in bounds(vs, versions):
            sections.setdefault(section, []).append((ident, value, key(section, ident, value, cond)))
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
    lines.append("# Schema deltas Synapse applies (and records) only on PostgreSQL, each recorded in the target")
    lines.append("# when the snapshot records its witness (with: a delta of the release that shipped it) or,")
    lines.append("# without one, when the snapshot records deltas of its version or older.")
    lines.append("postgres_only_deltas:")
    for version, file in postgres_deltas:
        if version > versions[0]:
            lines.append(f"  - {{version: {version}, file: {q(file)}, with: {q(history.witness(file))}}}")
        else:  # older than the full schema: recorded when the snapshot records deltas of its version or older
            lines.append(f"  - {{version: {version}, file: {q(file)}}}")
    lines.append("")
    lines.append(f"# Every delta file a snapshot of these releases records from schema {versions[0] + 1} on, by")
    lines.append("# directory: a snapshot that records another is refused for an empty target.")
    lines.append("known_deltas:")
    for directory in sorted({v for v, _ in recorded if v > versions[0]}):
        files = [f.split("/", 1)[1] for v, f in recorded if v == directory]
        lines.append(f"  {directory}: [{', '.join(q(f) for f in files)}]")
    open(path, "w", encoding="utf-8").write("\n".join(lines) + "\n")


main()
