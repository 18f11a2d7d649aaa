"""Django without DRF: plain views, JsonResponse; WSGI app `django_tuned_app.wsgi:application`."""
