"""A throw-away SQLite installation for a benchmark process (never the developer's data)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

POSTGRES_SERVER = "postgres://postgres@127.0.0.1:5432"


def configure(
    prefix: str = "minehub-bench-", folder: str | None = None, database_url: str | None = None
) -> str:
    """Points MineHub at an empty temporary folder (or at ``folder``, an installation a
    benchmark made earlier) and its SQLite database (or ``database_url``) and sets Django
    up; the caller then migrates or runs ``setup``. Returns the folder."""
    folder = folder or tempfile.mkdtemp(prefix=prefix)
    os.environ.update(
        MINEHUB_VAR_DIR=folder, MINEHUB_DEBUG="0", MINEHUB_HTTPS="0",
        MINEHUB_SECRET_KEY="bench-" + "x7Qm2pL8vN4tR6wY1zA5cF0hB3dG7jK9mP2sU4xW6yE8qT1rV5n",
        MINEHUB_ALLOWED_HOSTS="testserver", MINEHUB_CACHE_URL="locmem",
        DJANGO_SETTINGS_MODULE="minehub.settings",
    )  # fmt: skip
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    return folder


def ensure_django() -> None:
    """Sets Django up with development settings for a benchmark that only exercises pure
    code (extraction, validation), unless the caller already did."""
    from django.apps import apps

    if apps.ready:
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minehub.settings")
    os.environ.setdefault("MINEHUB_DEBUG", "1")  # no secrets needed: no request is served
    import django

    django.setup()


def fresh_postgres(name: str) -> str | None:
    """The URL of an empty PostgreSQL database ``name`` (dropped and created again), or
    None when no PostgreSQL server answers: benchmarks then measure SQLite alone."""
    probe = subprocess.run(  # noqa: S603 - our own module
        [sys.executable, "-m", "minehub.core.pgprobe"], check=False
    )
    if probe.returncode != 0:
        return None
    import psycopg

    with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    return f"{POSTGRES_SERVER}/{name}"


def each_database(module: str, postgres_name: str) -> list[str]:
    """The lines ``python -m module [DATABASE_URL]`` prints, run in a fresh process for
    SQLite, then for a fresh PostgreSQL database ``postgres_name`` when a server answers."""
    targets: list[str | None] = [None]
    if postgres := fresh_postgres(postgres_name):
        targets.append(postgres)
    lines: list[str] = []
    for target in targets:
        worker = subprocess.run(  # noqa: S603 - our own module, our own arguments
            [sys.executable, "-m", module, *([target] if target else [])],
            check=True,
            capture_output=True,
            text=True,
        )
        lines += worker.stdout.splitlines()
    return lines
