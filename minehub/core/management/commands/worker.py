"""Runs background tasks (``minehub worker``); any number may run against PostgreSQL."""

from __future__ import annotations

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand


class Command(DatabaseWorkerCommand):
    help = "Run the MineHub background worker (processes the database task queue)."
