"""``minehub send_digests --daily|--weekly``: for cron or a systemd timer."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from minehub.exchange import digests
from minehub.exchange.models import Frequency


class Command(BaseCommand):
    help = "Send the daily or weekly digest e-mails now (each notification is sent once)."

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--daily", action="store_const", dest="frequency", const="daily")
        which.add_argument("--weekly", action="store_const", dest="frequency", const="weekly")

    def handle(self, *args: Any, frequency: str, **options: Any) -> None:
        sent = digests.send_digests(Frequency(frequency))
        self.stdout.write(f"{sent} digest e-mail(s) sent.")
