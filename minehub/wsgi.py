"""WSGI entry point for gunicorn: ``gunicorn minehub.wsgi``."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minehub.settings")
application = get_wsgi_application()

# What a web process loads as it starts (Django, the apps, the URL map; then the search
# snapshot and stemmers) lives as long as the process. Frozen out of the cyclic collector,
# it is not walked by every full collection again: with the demo content a process holds
# about 100k such objects, and each full collection took 50-90 ms, a pause that lands on
# whichever reader's request happens to set it off.
gc.freeze()

# Each web process loads the search snapshot and the clauses of frequent queries while it
# starts serving, instead of during its first readers' searches.
from minehub.search.warmup import warm_up_in_background  # noqa: E402

warm_up_in_background(then=gc.freeze)
