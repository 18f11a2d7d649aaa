"""The database backend (ENGINE "django_app.db"): Django's PostgreSQL, every wait bounded."""
