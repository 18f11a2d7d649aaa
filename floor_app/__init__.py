"""The no-framework floor of the commerce API; the ASGI app is `floor_app.main:app`."""
