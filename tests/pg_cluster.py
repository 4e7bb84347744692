"""A throw-away PostgreSQL server holding the Synthea OMOP sample, for tests/test_postgres.py
and benchmarks/bench_postgres.py.

initdb + pg_ctl in a temporary folder under /tmp, reached on a Unix socket in that folder
(no TCP port to collide with); as root the server runs as the ``postgres`` user (Debian's
package creates it), else ``nobody``, as PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

CDM = ("person", "observation_period", "measurement", "condition_occurrence", "observation", "procedure_occurrence",
       "drug_exposure", "visit_occurrence", "concept", "concept_ancestor", "concept_relationship")
"""The CDM tables screener reads."""


def postgres_bin() -> Path | None:
    """The folder of initdb and pg_ctl: on PATH, else Debian's /usr/lib/postgresql/N/bin."""
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0)
    return versions[-1].parent if versions else None


class Cluster:
    """A PostgreSQL server in a temporary folder, reached on a Unix socket in that folder."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin = bin_dir
        # not pytest's tmp_path, which only root can enter; short, for the socket's path
        self.folder = Path(tempfile.mkdtemp(prefix="screener-pg-", dir="/tmp"))
        self.user: dict[str, Any] = {}
        if os.geteuid() == 0:  # the server refuses to run as root
            entry = pwd.getpwnam("postgres" if _has_user("postgres") else "nobody")
            self.user = {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}
            os.chown(self.folder, entry.pw_uid, entry.pw_gid)

    def run(self, *args: str) -> None:
        done = subprocess.run([str(self.bin / args[0]), *args[1:]], cwd=self.folder, capture_output=True, text=True,
                              timeout=120, **self.user)
        if done.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {done.stdout}{done.stderr}")

    def start(self) -> None:
        self.run("initdb", "-D", str(self.folder / "data"), "-U", "screener", "-A", "trust", "--no-sync",
                 "--no-locale", "-E", "UTF8")
        self.run("pg_ctl", "-D", str(self.folder / "data"), "-l", str(self.folder / "server.log"), "-w", "-t", "60",
                 "-o", f"-k {self.folder} -c listen_addresses='' -F", "start")

    def stop(self) -> None:
        try:
            self.run("pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str = "omop", schema: str = "cdm") -> str:
        return f"postgresql://screener@/{database}?host={self.folder}" + (f"#{schema}" if schema else "")

    def connect(self, database: str = "omop") -> Any:
        import psycopg
        return psycopg.connect(f"host={self.folder} user=screener dbname={database}", autocommit=True)


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def load_sample(db: Any, folder: Path, copies: int = 1) -> None:
    """Schema ``cdm``: the sample's CDM tables (from its CSV files in ``folder``), typed as
    the OMOP DDL types them; with ``copies`` > 1 every person is there that many times
    (person ids + k * 10^6, row ids + k * 10^8).  Schema ``anc``: the same with
    CONCEPT_ANCESTOR filled from the 'Is a' rows and no CONCEPT_RELATIONSHIP.  Schemas
    ``clinical`` and ``vocabulary``: the ``cdm`` tables split as many sites keep them."""
    db.execute("CREATE SCHEMA cdm; CREATE SCHEMA anc; CREATE SCHEMA clinical; CREATE SCHEMA vocabulary")
    for table in CDM:
        path = folder / f"{table.upper()}.csv"
        header = path.read_text().partition("\n")[0].strip().split(",")
        types = ", ".join(f"{name} {column_type(name, wide=copies > 1)}" for name in header)
        db.execute(f"CREATE TABLE cdm.{table} ({types})")
        with db.cursor().copy(f"COPY cdm.{table} FROM STDIN (FORMAT csv, HEADER true)") as copy:
            copy.write(path.read_bytes())
        if copies > 1 and "person_id" in header:
            shifted = ", ".join("person_id + g * 1000000" if name == "person_id" else f"{name} + g * 100000000"
                                if name == f"{table}_id" else name for name in header)
            db.execute(f"INSERT INTO cdm.{table} SELECT {shifted} FROM cdm.{table}, generate_series(1::bigint, {copies - 1}) g")
        if table not in ("concept_ancestor", "concept_relationship"):
            db.execute(f"CREATE VIEW anc.{table} AS SELECT * FROM cdm.{table}")
        db.execute(f"CREATE VIEW {'vocabulary' if table.startswith('concept') else 'clinical'}.{table} AS SELECT * FROM cdm.{table}")
    db.execute("""CREATE TABLE anc.concept_ancestor AS
        WITH RECURSIVE isa AS (SELECT concept_id_2 parent, concept_id_1 child FROM cdm.concept_relationship
                               WHERE relationship_id = 'Is a'),
        down(ancestor_concept_id, descendant_concept_id) AS (
          SELECT concept_id, concept_id FROM cdm.concept
          UNION SELECT d.ancestor_concept_id, i.child FROM down d JOIN isa i ON i.parent = d.descendant_concept_id)
        SELECT * FROM down""")
    db.execute("ANALYZE")


def column_type(name: str, wide: bool = False) -> str:
    """The OMOP CDM 5.4 DDL's type of a column, by the CDM's naming (``wide``: ids as bigint)."""
    if re.search(r"_id(_\d)?$", name) and name not in ("vocabulary_id", "domain_id", "concept_class_id", "relationship_id"):
        return "bigint" if wide else "integer"
    if name.endswith(("_date", "_datetime")):
        return "date" if name.endswith("_date") else "timestamp"
    if name in ("value_as_number", "range_low", "range_high", "quantity"):
        return "numeric"
    return "integer" if name.endswith("_of_birth") else "varchar(255)"
