"""Database set-up: a fresh database, the schema from infra/schema.sql, table resets."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from infra.settings.kinds import redact

SCHEMA_FILE = Path(__file__).with_name("schema.sql")
TABLES = ("tb_order_item", "tb_order", "tb_product_item", "tb_product", "tb_auth_user")


def with_database(url: str, dbname: str) -> str:
    """The same server URL pointing at another database."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{dbname}"))


def database_name(url: str) -> str:
    name = urlsplit(url).path.lstrip("/")
    if not name:
        raise ValueError(f"database URL has no database name: {redact(url)}")
    return name


def recreate_database(admin_url: str, dbname: str) -> str:
    """Drop and create `dbname` (terminating its sessions); return its URL."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        ident = sql.Identifier(dbname)
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(ident))
        conn.execute(sql.SQL("ALTER DATABASE {} SET timezone TO 'UTC'").format(ident))
    with psycopg.connect(with_database(admin_url, dbname), autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
    return with_database(admin_url, dbname)


def apply_schema(url: str) -> None:
    """Create the five tables (dropping them first), exactly as infra/schema.sql says."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(SCHEMA_FILE.read_text().encode())


def truncate_tables(url: str) -> None:
    """Empty every table and restart the id sequences."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("TRUNCATE {} RESTART IDENTITY CASCADE").format(
                sql.SQL(", ").join(sql.Identifier(t) for t in TABLES)
            )
        )
