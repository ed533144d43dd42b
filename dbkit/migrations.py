"""Versioned migrations: ordered steps per component, recorded in `schema_migrations`, applied at
start in one transaction under a lock, so that N instances starting together apply each step once
and a deployment upgrades in place.

A component (the runtime's tables, one service's tables, the registry's) owns a list of
`Migration`s numbered 1, 2, 3...; a step is SQL for both engines, or one text per engine where
their DDL differs.  A step, once released, never changes: a change is a new step.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from dbkit.base import Connection, Database

MIGRATIONS_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    component TEXT NOT NULL,
    version INTEGER NOT NULL,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL,
    PRIMARY KEY (component, version)
)"""


class MigrationError(RuntimeError):
    """The steps are inconsistent, or the database is newer than this code."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str = ""  # for both engines
    sqlite: str | None = None  # engine-specific texts, when the DDL differs
    postgresql: str | None = None

    def script(self, engine: str) -> str:
        specific = self.sqlite if engine == "sqlite" else self.postgresql
        return self.sql if specific is None else specific


def split_statements(script: str) -> list[str]:
    """Statements of a script, split on `;` outside quotes."""
    statements: list[str] = []
    current: list[str] = []
    quote = ""
    for ch in script:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in ("'", '"'):
            quote = ch
        elif ch == ";":
            statements.append("".join(current))
            current = []
            continue
        current.append(ch)
    statements.append("".join(current))
    return [s.strip() for s in statements if s.strip()]


def check_steps(component: str, steps: Sequence[Migration]) -> None:
    versions = [s.version for s in steps]
    if versions != list(range(1, len(steps) + 1)):
        raise MigrationError(f"{component}: migrations must be numbered 1..n, got {versions}")


def applied_versions(conn: Connection) -> dict[str, int]:
    rows = conn.execute(
        "SELECT component, MAX(version) AS version FROM schema_migrations GROUP BY component"
    ).fetchall()
    return {row["component"]: int(row["version"]) for row in rows}


def apply_migrations(
    db: Database,
    components: Mapping[str, Sequence[Migration]],
    up_to: Mapping[str, int] | None = None,
) -> dict[str, list[int]]:
    """Apply every step not applied yet (or only up to `up_to[component]`); return what ran."""
    for component, steps in components.items():
        check_steps(component, steps)
    ran: dict[str, list[int]] = {}
    now = datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds")
    with db.transaction(lock="schema_migrations") as conn:
        if db.namespace_ddl:  # PostgreSQL: the schema itself, created under the lock
            conn.execute(db.namespace_ddl)
        conn.execute(MIGRATIONS_TABLE)
        have = applied_versions(conn)
        for component, steps in components.items():
            current = have.get(component, 0)
            if current > len(steps):
                raise MigrationError(
                    f"{db.description}: {component} is at migration {current}, this code knows "
                    f"only {len(steps)}: run the newer code, or restore an older database"
                )
            target = min(len(steps), (up_to or {}).get(component, len(steps)))
            for step in steps[current:target]:
                for statement in split_statements(step.script(db.dialect.name)):
                    conn.execute(statement)
                conn.execute(
                    "INSERT INTO schema_migrations (component, version, name, applied_at)"
                    " VALUES (?, ?, ?, ?)",
                    (component, step.version, step.name, now),
                )
                ran.setdefault(component, []).append(step.version)
    return ran
