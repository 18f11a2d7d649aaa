"""Settings from the environment, read once; a missing or invalid value stops the app."""

from __future__ import annotations

import functools
import sys
from typing import Annotated
from urllib.parse import urlsplit

import pydantic
from pydantic import Field, field_validator
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, SettingsConfigDict

# uvicorn's exit status for "failed before serving": its supervisor stops instead of
# restarting a worker that would fail the same way forever.
STARTUP_FAILURE_EXIT_STATUS = 3

# Upper bound: every knob must also fit the 32-bit integers PostgreSQL and hashlib take.
PositiveInt = Annotated[int, Field(ge=1, le=2**31 - 1)]
NonNegativeInt = Annotated[int, Field(ge=0, le=2**31 - 1)]


class Settings(BaseSettings):
    """Every knob of the app, named as in docs/DECISIONS.md."""

    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore", frozen=True)

    database_url: str
    app_secret_key: Annotated[str, Field(min_length=32)]
    token_lifetime_seconds: PositiveInt = 86400
    password_hash_iterations: PositiveInt = 1_000_000
    db_connect_timeout_seconds: PositiveInt = 2
    db_statement_timeout_ms: PositiveInt = 5000
    db_pool_size: PositiveInt = 10
    db_max_overflow: NonNegativeInt = 0
    db_pool_timeout_seconds: PositiveInt = 5

    @field_validator(
        "token_lifetime_seconds",
        "password_hash_iterations",
        "db_connect_timeout_seconds",
        "db_statement_timeout_ms",
        "db_pool_size",
        "db_max_overflow",
        "db_pool_timeout_seconds",
        mode="before",
    )
    @classmethod
    def _decimal_digits(cls, value: object) -> object:
        # pydantic alone would also take "1.0" or " 7 "; from the environment only digits count.
        if isinstance(value, str) and not (value.isascii() and value.isdigit()):
            raise PydanticCustomError("whole_number", "must be a whole number")
        return value

    @field_validator("database_url")
    @classmethod
    def _postgresql_url(cls, value: str) -> str:
        try:
            parts = urlsplit(value)
            parts.port  # noqa: B018 - raises ValueError on a bad port
        except ValueError:
            parts = None
        if (
            parts is None
            or parts.scheme not in ("postgresql", "postgres")
            or parts.path in ("", "/")
        ):
            raise PydanticCustomError(
                "postgresql_url", "must be postgresql://user:pass@host:port/db"
            )
        return value


@functools.cache
def get_settings() -> Settings:
    """Return the settings, or exit with one line naming the first bad variable."""
    try:
        return Settings()
    except pydantic.ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0]).upper() if error["loc"] else "environment"
        reason = "is required" if error["type"] == "missing" else str(error["msg"])
        print(f"fastapi_tuned_app: environment variable {name}: {reason}", file=sys.stderr)
        raise SystemExit(STARTUP_FAILURE_EXIT_STATUS) from None
