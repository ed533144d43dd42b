"""The throwaway PostgreSQL server the PostgreSQL tests run on: real, isolated, cleaned up."""

from __future__ import annotations

import psycopg

from stack.postgres import PostgresServer


def test_server_answers_and_databases_are_isolated(postgres_server: PostgresServer) -> None:
    first = postgres_server.create_database("isolation_a")
    second = postgres_server.create_database("isolation_b")
    with psycopg.connect(first, autocommit=True) as conn:
        conn.execute("CREATE TABLE t (x int)")
        conn.execute("INSERT INTO t VALUES (42)")
        assert conn.execute("SELECT x FROM t").fetchone() == (42,)
        assert conn.execute("SHOW server_version").fetchone()[0].startswith(("15", "16", "17"))
    with psycopg.connect(second) as conn:
        exists = conn.execute("SELECT to_regclass('public.t') IS NOT NULL").fetchone()
        assert exists == (False,)
