"""The table, part three: what the apps read, passed to the app server's environment."""

from __future__ import annotations

from dataclasses import dataclass

from infra.settings import kinds
from infra.settings.declare import (
    APPS,
    DJANGO_APPS,
    EVERY_APP,
    POOLED_APPS,
    STACK_READERS,
    var,
)


@dataclass(frozen=True)
class AppVars:
    app_secret_key: str | None = var(
        "",
        kinds.optional(kinds.text("text")),
        "JWT signing key shared by every app, at least 32 characters (random when unset)",
        readers=(*STACK_READERS, EVERY_APP),
        section=APPS,
        secret=True,
    )
    token_lifetime_seconds: int = var(
        "86400",
        kinds.integer(1, 2**31 - 1),
        "lifetime of issued tokens",
        readers=(EVERY_APP,),
        section=APPS,
    )
    password_hash_iterations: int = var(
        "1000000",
        kinds.integer(1, 2**31 - 1),
        "PBKDF2 rounds of new password hashes (`POST /auth/register`); Django's default",
        readers=(EVERY_APP,),
        section=APPS,
    )
    db_connect_timeout_seconds: int = var(
        "2",
        kinds.integer(1, 2**31 - 1),
        "how long an app waits for a new database connection",
        readers=(EVERY_APP,),
        section=APPS,
    )
    db_statement_timeout_ms: int = var(
        "5000",
        kinds.integer(1, 2**31 - 1),
        "PostgreSQL `statement_timeout` of the apps' connections",
        readers=(EVERY_APP,),
        section=APPS,
    )
    django_conn_max_age: int = var(
        "60",
        kinds.integer(0, 10**6),
        "Django persistent connection lifetime in seconds; `0` = a new connection per request",
        readers=(DJANGO_APPS,),
        section=APPS,
    )
    db_pool_size: int = var(
        "10",
        kinds.integer(1, 1000),
        "connection pool size per app server worker",
        readers=(POOLED_APPS,),
        section=APPS,
    )
    db_max_overflow: int = var(
        "0",
        kinds.integer(0, 1000),
        "connections a worker may open beyond its pool",
        readers=(POOLED_APPS,),
        section=APPS,
    )
    db_pool_timeout_seconds: int = var(
        "5",
        kinds.integer(1, 2**31 - 1),
        "how long a request waits for a pooled connection before a 503",
        readers=(POOLED_APPS,),
        section=APPS,
    )
