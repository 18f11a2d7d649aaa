"""The Django twin of the commerce API; the WSGI app is `django_app.wsgi:application`."""
