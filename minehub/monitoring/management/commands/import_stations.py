"""``minehub import_stations FILE``: loads sites and stations (JSON, CSV or GeoJSON)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minehub.monitoring.sites import import_stations


class Command(BaseCommand):
    help = gettext_lazy(
        'Load monitoring sites and stations from JSON ({"sites": [...], "stations": '
        "[...]}), CSV (one row per station) or GeoJSON. Matched on codes: safe to repeat. "
        "Nothing is saved unless every item is valid."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help=gettext_lazy("The file to load."))
        parser.add_argument(
            "--dry-run", action="store_true", help=gettext_lazy("Check, but save nothing.")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s") % {"path": path, "error": error.strerror}
            ) from None
        result = import_stations(data, path.name, dry_run=options["dry_run"])
        for error in result.errors:
            self.stderr.write(error)
        if result.errors:
            raise CommandError(
                _("%(count)s problems: nothing was saved.") % {"count": len(result.errors)}
            )
        self.stdout.write(
            _(
                "Sites: %(sites_added)s added, %(sites_updated)s updated. Stations: "
                "%(stations_added)s added, %(stations_updated)s updated. Unchanged: %(unchanged)s."
            )
            % vars(result)
        )
        if result.dry_run:
            self.stdout.write(_("Dry run: nothing was saved."))
