"""The FastAPI twin of the commerce API; the ASGI app is `fastapi_app.main:app`."""
