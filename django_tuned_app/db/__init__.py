"""The database backend (ENGINE "django_tuned_app.db"): Django's PostgreSQL, every wait bounded."""
