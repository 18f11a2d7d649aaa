"""Request dependencies: a pooled connection, the authenticated user, and JSON bodies."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Annotated, Any, TypeVar

import pydantic
import pydantic_core
from fastapi import Depends, Header, Request
from starlette.requests import ClientDisconnect

from fastapi_tuned_app.data import UserData
from fastapi_tuned_app.db import Connection, Pool
from fastapi_tuned_app.errors import UnauthorizedError, UnsupportedMediaTypeError, ValidationError
from fastapi_tuned_app.rules import BODY_CUT_OFF_MESSAGE
from fastapi_tuned_app.schemas import CredentialsIn, OrderIn
from fastapi_tuned_app.security import token_decode
from fastapi_tuned_app.selectors import user_get
from fastapi_tuned_app.settings import get_settings

ModelT = TypeVar("ModelT", bound=pydantic.BaseModel)


async def connection_get(request: Request) -> AsyncIterator[Connection]:
    """Yield a connection checked out of the worker's pool for this request."""
    pool: Pool = request.state.pool
    async with pool.acquire(timeout=get_settings().db_pool_timeout_seconds) as conn:
        yield conn


# "function" scope: the connection goes back to the pool before the response is sent.
ConnectionDep = Annotated[Connection, Depends(connection_get, scope="function")]


async def current_user(
    conn: ConnectionDep, authorization: Annotated[str | None, Header()] = None
) -> UserData:
    """Return the active user named by the request's bearer token, or answer 401."""
    parts = (authorization or "").split()
    if len(parts) != 2 or parts[0].lower() != "bearer":
        raise UnauthorizedError()
    pk = token_decode(token=parts[1])
    user = None if pk is None else await user_get(conn=conn, pk=pk)
    if user is None or not user.is_active:
        raise UnauthorizedError()
    return user


CurrentUser = Annotated[UserData, Depends(current_user)]


def json_body(model: type[ModelT]) -> Callable[[Request], Coroutine[Any, Any, ModelT]]:
    """Build a dependency that reads an application/json body into `model`."""

    async def read(request: Request) -> ModelT:
        media_type = request.headers.get("content-type", "").partition(";")[0]
        if media_type.strip().lower() != "application/json":
            raise UnsupportedMediaTypeError()
        try:
            body = await request.body()
        except ClientDisconnect:
            # The client went away mid-body: nobody will read the answer, and a client that
            # leaves is no server error (no traceback in the log).
            raise ValidationError(BODY_CUT_OFF_MESSAGE) from None
        try:
            # NaN and Infinity are not JSON, even in fields the model ignores.
            data = pydantic_core.from_json(body, allow_inf_nan=False)
        except ValueError as exc:
            raise ValidationError(f"Malformed JSON: {exc}.") from None
        if not isinstance(data, dict):
            raise ValidationError("The body must be a JSON object.")
        try:
            return model.model_validate(data)
        except pydantic.ValidationError as exc:
            raise ValidationError(fields=validation_fields(exc)) from None

    return read


def validation_fields(exc: pydantic.ValidationError) -> dict[str, str]:
    """Flatten pydantic errors to {"items.0.quantity": message}, first message per field."""
    fields: dict[str, str] = {}
    for error in exc.errors(include_url=False, include_input=False):
        fields.setdefault(".".join(str(part) for part in error["loc"]), error["msg"])
    return fields


CredentialsBody = Annotated[CredentialsIn, Depends(json_body(CredentialsIn))]
OrderBody = Annotated[OrderIn, Depends(json_body(OrderIn))]
