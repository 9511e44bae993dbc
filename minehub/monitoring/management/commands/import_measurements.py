"""``minehub import_measurements FILE [--dry-run] [--json]``: imports lab or sensor results.

A thin shell around :mod:`minehub.monitoring.ingest`: the file is validated against the
registry (stations, parameters, units) and its valid rows are imported in one transaction;
``--dry-run`` only reports. The exit status is 1 when the file or any row is invalid (the
valid rows are still imported), 2 when the file cannot be read at all.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minehub.monitoring import ingest
from minehub.monitoring.importing import Report
from minehub.monitoring.models import BatchSource


class Command(BaseCommand):
    help = gettext_lazy(
        "Import lab or sensor results from a CSV, TSV or Excel (.xlsx) file. Every row is "
        "validated first; rows already stored are not added again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help=gettext_lazy("The file to import."))
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=gettext_lazy("Validate and report, but save nothing."),
        )
        parser.add_argument(
            "--json",
            action="store_true",
            help=gettext_lazy("Print the report as JSON."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s") % {"path": path, "error": error.strerror}
            ) from None
        if options["dry_run"]:
            report = ingest.validate_file(data, path.name)
            extra: dict[str, Any] = {"dry_run": True}
        else:
            batch = ingest.receive(data, path.name, source=BatchSource.COMMAND)
            report = ingest.check(batch)
            if report.readable and report.rows_valid:
                batch = ingest.commit(batch)
            extra = {
                "dry_run": False,
                "import_id": batch.pk,
                "rows_added": batch.rows_added,
                "rows_present": batch.rows_present,
            }
        if options["json"]:
            self.stdout.write(
                json.dumps({**report.as_json(), **extra}, ensure_ascii=False, indent=1)
            )
        else:
            self.print_report(report, extra)
        if not report.readable:
            raise SystemExit(2)
        if report.rows_invalid:
            raise SystemExit(1)

    def print_report(self, report: Report, extra: dict[str, Any]) -> None:
        write = self.stdout.write
        for error in report.errors:
            if error.row is None:
                write(_("File: %(message)s") % {"message": error.message})
            else:
                where = _("Row %(row)s (line %(line)s)") % {"row": error.row, "line": error.line}
                column = f" [{error.column}]" if error.column else ""
                write(f"{where}{column} {error.code}: {error.message}")
        write(
            _(
                "%(total)s rows: %(valid)s valid, %(invalid)s invalid; %(exceeding)s results exceed a limit."
            )
            % {
                "total": report.rows_total,
                "valid": report.rows_valid,
                "invalid": report.rows_invalid,
                "exceeding": report.exceedance_count,
            }
        )
        if extra["dry_run"]:
            write(_("Dry run: nothing was saved."))
        else:
            write(
                _("Import %(id)s: %(added)s rows added, %(present)s already present.")
                % {
                    "id": extra["import_id"],
                    "added": extra["rows_added"],
                    "present": extra["rows_present"],
                }
            )
