"""Production settings refuse to start insecurely; `check --deploy` is clean."""

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured
from hypothesis import given
from hypothesis import strategies as st

from minehub import env

GOOD_KEY = "k3J9-x7Qm2pL8vN4tR6wY1zA5cF0hB3dG7jK9mP2sU4xW6yE8qT1rV5nM0oI3lZ"


def _minehub(*args: str, **environment: str) -> subprocess.CompletedProcess[str]:
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("MINEHUB_", "DATABASE_URL", "DJANGO_"))
    }
    clean.update(environment)
    clean["MINEHUB_TESTING"] = "0"
    return subprocess.run(  # noqa: S603 - fixed command
        [sys.executable, "-m", "minehub.cli", *args],
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_secret_key() -> None:
    result = _minehub("check", MINEHUB_DEBUG="0", MINEHUB_ALLOWED_HOSTS="hub.example.org")
    assert result.returncode != 0
    assert "MINEHUB_SECRET_KEY must be set" in result.stderr


def test_production_refuses_a_weak_secret_key() -> None:
    result = _minehub(
        "check",
        MINEHUB_DEBUG="0",
        MINEHUB_SECRET_KEY="django-insecure-" + "a" * 60,
        MINEHUB_ALLOWED_HOSTS="hub.example.org",
    )
    assert result.returncode != 0


def test_production_refuses_to_start_without_allowed_hosts() -> None:
    result = _minehub("check", MINEHUB_DEBUG="0", MINEHUB_SECRET_KEY=GOOD_KEY)
    assert result.returncode != 0
    assert "MINEHUB_ALLOWED_HOSTS" in result.stderr


def test_deploy_check_is_clean_under_production_settings(tmp_path: object) -> None:
    result = _minehub(
        "check",
        "--deploy",
        "--fail-level=WARNING",
        MINEHUB_DEBUG="0",
        MINEHUB_SECRET_KEY=GOOD_KEY,
        MINEHUB_ALLOWED_HOSTS="hub.example.org",
        MINEHUB_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_misspelt_boolean_stops_with_a_clear_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MINEHUB_X", "ture")
    with pytest.raises(ImproperlyConfigured, match="MINEHUB_X='ture' is not a boolean"):
        env.boolean("MINEHUB_X", default=False)


@given(st.sampled_from(["1", "true", "YES", " on ", "0", "false", "No", "off", ""]))
def test_boolean_accepts_the_usual_spellings(value: str) -> None:
    os.environ["MINEHUB_HYPOTHESIS_FLAG"] = value
    try:
        assert env.boolean("MINEHUB_HYPOTHESIS_FLAG", default=False) is (
            value.strip().lower() in {"1", "true", "yes", "on"}
        )
    finally:
        del os.environ["MINEHUB_HYPOTHESIS_FLAG"]


@given(st.lists(st.text(alphabet="abc.-1 ", max_size=8), max_size=5))
def test_string_list_drops_blanks_and_strips(items: list[str]) -> None:
    os.environ["MINEHUB_HYPOTHESIS_LIST"] = ",".join(items)
    try:
        parsed = env.string_list("MINEHUB_HYPOTHESIS_LIST")
        assert parsed == [item.strip() for item in items if item.strip()]
    finally:
        del os.environ["MINEHUB_HYPOTHESIS_LIST"]


def test_bad_integer_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MINEHUB_N", "12,5")
    with pytest.raises(ImproperlyConfigured, match="MINEHUB_N='12,5' is not a whole number"):
        env.integer("MINEHUB_N", 1)


def test_default_sqlite_database_uses_wal_and_waits_for_locks(tmp_path: object) -> None:
    code = (
        "from django.db import connection\n"
        "cursor = connection.cursor()\n"
        "print(cursor.execute('PRAGMA journal_mode').fetchone()[0],"
        " cursor.execute('PRAGMA busy_timeout').fetchone()[0])"
    )
    result = _minehub("shell", "-c", code, MINEHUB_DEBUG="1", MINEHUB_VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == ["wal", "20000"]
    assert (tmp_path / "minehub.sqlite3").exists()


@pytest.mark.django_db
def test_the_database_cache_keeps_what_a_busy_hub_caches() -> None:
    # Django's default bound (300 entries, then a third dropped) would lose prepared charts,
    # rate-limit counters and idempotency keys on a hub with a few hundred stations.
    from django.conf import settings
    from django.core.cache.backends.db import DatabaseCache
    from django.core.management import call_command

    call_command("createcachetable", "minehub_cache", verbosity=0)
    cache = DatabaseCache("minehub_cache", {"OPTIONS": settings.DATABASE_CACHE_OPTIONS})
    cache.set_many({f"chart-{n}": n for n in range(1_000)}, 3600)
    cache.set("submission", 7, 3600)
    assert cache.get_many([f"chart-{n}" for n in range(1_000)]) == {
        f"chart-{n}": n for n in range(1_000)
    }
    assert cache.get("submission") == 7


def test_a_web_process_freezes_what_it_loaded_at_start(tmp_path: object) -> None:
    # Frozen objects are left out of every full collection (50-90 ms each otherwise).
    result = _minehub(
        "shell",
        "-c",
        "import gc, minehub.wsgi; print(gc.get_freeze_count())",
        MINEHUB_DEBUG="1",
        MINEHUB_VAR_DIR=str(tmp_path),
        MINEHUB_SEARCH_WARMUP_QUERIES="0",
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip().splitlines()[-1]) > 10_000
