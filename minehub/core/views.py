"""Home page, health check and error pages."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Count
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    HttpResponseServerError,
    JsonResponse,
)
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from minehub.core.models import Region, Topic
from minehub.directory.models import Organisation


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    organisations = list(Organisation.objects.for_listing().order_by("?")[:6])
    return render(
        request,
        "core/home.html",
        {
            "organisations": organisations,
            "organisation_count": Organisation.objects.count(),
            "topics": Topic.objects.all()[:16],
            "region_counts": dict(
                Region.objects.values_list("country").annotate(count=Count("id")).order_by()
            ),
        },
    )


def path_in_language(path: str, language: str) -> str:
    """``path`` with its language prefix replaced by ``language`` (added when absent)."""
    parts = path.split("/", 2)  # "", "en", "rest?query"
    if len(parts) > 1 and parts[1] in settings.LANGUAGE_CODES:
        return f"/{language}/{parts[2] if len(parts) > 2 else ''}"
    return f"/{language}{path}"


@require_POST
def switch_language(request: HttpRequest) -> HttpResponse:
    """Footer language buttons: show the same page in the chosen language and remember it.

    Django's own ``set_language`` cannot translate a URL whose prefix differs from the
    request's active language, so the prefix is swapped here; the rest of the path and the
    query string stay as they were. Works without JavaScript.
    """
    language = request.POST.get("language", "")
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "/"
    if not target.startswith("/"):
        target = "/"
    if language not in settings.LANGUAGE_CODES:
        return HttpResponseRedirect(target)
    response = HttpResponseRedirect(path_in_language(target, language))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
    )
    return response


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitoring: 200 when the database answers and is migrated."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        checks["migrations"] = "ok" if not pending else "pending"
    except Exception:  # any failure means "unhealthy"; details go to the log, not the world
        checks["database"] = "unavailable"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    # Rendered with the request so the page keeps the site's look and language. If even that
    # fails (the database may be what is down), a bare page still hides the traceback.
    try:
        return render(request, "500.html", status=500)
    except Exception:
        return HttpResponseServerError(
            "<!doctype html><title>Server error</title><h1>Server error (500)</h1>"
        )
