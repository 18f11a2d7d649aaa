"""WSGI entry point: gunicorn django_tuned_app.wsgi:application."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "django_tuned_app.settings")

from django_tuned_app.middleware import BodyLimitMiddleware  # needs DJANGO_SETTINGS_MODULE

application = BodyLimitMiddleware(get_wsgi_application())
