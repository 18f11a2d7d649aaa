"""FastAPI on raw asyncpg (no ORM); the ASGI app is `fastapi_tuned_app.main:app`."""
