"""``minehub load_demo``: loads the demo organisations and people once (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from minehub.core.demo import load_demo


class Command(BaseCommand):
    help = "Load MineHub's demo content (organisations, people with roles, library, news, events, projects, exchange threads, monitoring results). Safe to repeat."

    def handle(self, *args: Any, **options: Any) -> None:
        report = load_demo()
        self.stdout.write(
            f"Demo content: {report.organisations_created} organisation(s) and "
            f"{report.people_created} person(s) and "
            f"{report.library_created} library and news item(s) and "
            f"{report.posts_added} exchange thread(s) added."
        )
        for problem in report.library_problems:
            self.stderr.write(f"Demo library: {problem}")
        if report.admin_password:
            self.stdout.write(
                self.style.WARNING(
                    "\nDemo administrator created. This password is shown only once:\n"
                    f"  e-mail:   {report.admin_email}\n  password: {report.admin_password}\n"
                )
            )
