"""WSGI entry point for gunicorn: ``gunicorn minehub.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minehub.settings")
application = get_wsgi_application()

# Each web process loads the search snapshot and the clauses of frequent queries while it
# starts serving, instead of during its first readers' searches.
from minehub.search.warmup import warm_up_in_background  # noqa: E402

warm_up_in_background()
