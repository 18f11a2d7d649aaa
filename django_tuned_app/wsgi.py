"""WSGI entry point: gunicorn django_tuned_app.wsgi:application."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "django_tuned_app.settings")

from django_tuned_app.middleware import RequestGuardMiddleware  # needs DJANGO_SETTINGS_MODULE

application = RequestGuardMiddleware(get_wsgi_application())
