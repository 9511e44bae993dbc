"""``minehub import_documents FILE.jsonl``: imports content from an existing hub.

A thin shell around :func:`minehub.library.ingest.import_documents`: it reads the options,
prints the report and sets the exit status (1 when a line was rejected). The file format
is described in docs/import.md and in ``--help``.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from minehub.core.progress import Progress
from minehub.directory.models import Organisation
from minehub.exchange.importing import member_by_email
from minehub.library.ingest import TYPES, ImportFileError, ImportSummary, Outcome, import_documents

FORMAT_HELP = gettext_lazy(
    """File format: UTF-8 (a BOM is allowed), one JSON object per line; blank lines are skipped.

Every line: external_id, type (document, legal_act, news, event, project, post), title,
body (Markdown), language (mn, ky, ru, en). Optional: summary, topics (topic slugs),
regions (ISO 3166-2 codes such as MN-1 or KG-C), published (a date such as 2021-03-15, a
partial date such as 2021 or 2021-03, true for "published now", false or absent for a
draft), translation_of (the external_id of the original, also further down the file),
files (paths relative to the file's folder or --files-root).

Per type: document kind (default other), authors, publication_date; legal_act kind
(default regulation), number, issuing_body, adopted_on, in_force_from; news kind; event
starts_at, ends_at (ISO date and time with UTC offset), time_zone, place, online_url
(without starts_at the event spans the published date in its time zone); project
starts_on, ends_on, donors, implementers (organisation slugs), budget, currency; post
kind (experience, solution, question; default experience), author (the e-mail address of
a member; default --post-author). A published post is visible at once, an unpublished one
waits for the moderators.

Items are matched on external_id: importing the same file again changes nothing. See
docs/import.md."""
)


class Command(BaseCommand):
    help = gettext_lazy(
        "Import documents, legal acts, news, events, projects and member posts from a JSON "
        "Lines file. Safe to repeat: items are matched on their external_id."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # The format description keeps its line breaks in --help.
        parser = super().create_parser(
            prog_name,
            subcommand,
            epilog=str(FORMAT_HELP),
            formatter_class=argparse.RawDescriptionHelpFormatter,
            **kwargs,
        )
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help=gettext_lazy("The .jsonl file to import."))
        parser.add_argument(
            "--organisation",
            metavar="SLUG",
            help=gettext_lazy("Slug of the organisation that owns the imported items."),
        )
        parser.add_argument(
            "--files-root",
            type=Path,
            metavar="DIR",
            help=gettext_lazy(
                "Folder the “files” paths are relative to (default: the file's folder). "
                "Paths leading outside it are refused."
            ),
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=gettext_lazy("Check every line and report, but save nothing."),
        )
        parser.add_argument(
            "--create-missing-topics",
            action="store_true",
            help=gettext_lazy(
                "Create topics for unknown topic slugs (otherwise they are skipped with a "
                "warning and the item is still imported)."
            ),
        )
        parser.add_argument(
            "--post-author",
            metavar="EMAIL",
            help=gettext_lazy(
                "E-mail address of the member who writes the posts that name no author "
                "(default: the hub's import account, which cannot sign in)."
            ),
        )
        progress = parser.add_mutually_exclusive_group()
        progress.add_argument(
            "--progress",
            action="store_true",
            help=gettext_lazy("Show the progress bar even when the output is not a terminal."),
        )
        progress.add_argument(
            "--no-progress",
            action="store_true",
            help=gettext_lazy("Never show the progress bar."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = None
        if options["organisation"]:
            organisation = Organisation.objects.filter(slug=options["organisation"]).first()
            if organisation is None:
                raise CommandError(
                    _("There is no organisation with the slug “%(slug)s”.")
                    % {"slug": options["organisation"]}
                )
        post_author = None
        if options["post_author"]:
            post_author = member_by_email(options["post_author"])
            if post_author is None:
                raise CommandError(
                    _("No member of the hub has the e-mail address “%(email)s”.")
                    % {"email": options["post_author"]}
                )
        files_root = options["files_root"]
        if files_root is not None and not files_root.is_dir():
            raise CommandError(_("%(path)s is not a folder.") % {"path": files_root})
        enabled = False if options["no_progress"] else (True if options["progress"] else None)
        # The bar redraws one line in place, so it writes to the raw stream: the command's
        # OutputWrapper would end every write with a newline.
        progress = Progress(None, unit=_("lines"), stream=self.stderr._out, enabled=enabled)
        try:
            with progress:
                summary = import_documents(
                    options["file"],
                    organisation=organisation,
                    files_root=files_root,
                    create_missing_topics=options["create_missing_topics"],
                    dry_run=options["dry_run"],
                    progress=progress,
                    post_author=post_author,
                )
        except ImportFileError as error:
            raise CommandError(str(error)) from error
        self.report(options["file"], summary)
        if summary.rejected:
            count = len(summary.rejected)
            raise CommandError(
                ngettext("%(count)s line was rejected.", "%(count)s lines were rejected.", count)
                % {"count": count}
            )

    def report(self, path: Path, summary: ImportSummary) -> None:
        """Prints the counts, then every rejected line and every warning."""
        if summary.dry_run:
            self.stdout.write(
                self.style.WARNING(_("Dry run of %(file)s: nothing was saved.") % {"file": path})
            )
        else:
            self.stdout.write(_("Imported %(file)s.") % {"file": path})
        self.stdout.write(
            _(
                "Created: %(created)s, updated: %(updated)s, unchanged: %(unchanged)s, "
                "rejected: %(rejected)s, warnings: %(warnings)s."
            )
            % {
                "created": summary.created,
                "updated": summary.updated,
                "unchanged": summary.unchanged,
                "rejected": len(summary.rejected),
                "warnings": len(summary.warnings),
            }
        )
        for type_key in TYPES:
            counts = summary.by_type.get(type_key)
            if not counts:
                continue
            self.stdout.write(
                _(
                    "  %(type)s: %(created)s created, %(updated)s updated, "
                    "%(unchanged)s unchanged, %(rejected)s rejected"
                )
                % {
                    "type": type_key,
                    "created": counts[Outcome.CREATED],
                    "updated": counts[Outcome.UPDATED],
                    "unchanged": counts[Outcome.UNCHANGED],
                    "rejected": counts[Outcome.REJECTED],
                }
            )
        if summary.rejected:
            self.stdout.write(self.style.ERROR(_("Rejected lines:")))
            for problem in summary.rejected:
                self.stdout.write(f"  {problem}")
        if summary.warnings:
            self.stdout.write(self.style.WARNING(_("Warnings:")))
            for problem in summary.warnings:
                self.stdout.write(f"  {problem}")
