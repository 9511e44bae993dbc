"""WSGI entry point for gunicorn: ``gunicorn minehub.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minehub.settings")
application = get_wsgi_application()
