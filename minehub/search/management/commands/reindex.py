"""``minehub reindex [--no-embeddings]``: rebuilds the search index from the content."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minehub.core.progress import Progress
from minehub.search import embeddings, indexer, snapshot


class Command(BaseCommand):
    help = gettext_lazy(
        "Rebuild the search index of every published item, then embed the passages that "
        "have no vector yet (unless --no-embeddings)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-embeddings",
            action="store_true",
            help=gettext_lazy("Skip the (slow) dense vectors; the worker adds them later."),
        )
        parser.add_argument(
            "--progress",
            action="store_true",
            default=None,
            help=gettext_lazy("Show the progress bar even when not on a terminal."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with Progress(
            indexer.count_items(), unit=_("items"), enabled=options["progress"], stream=self.stderr
        ) as bar:
            indexed = indexer.rebuild(advance=bar.advance)
        snapshot.reset()
        self.stdout.write(_("Indexed %(count)d items.") % {"count": indexed})
        if options["no_embeddings"]:
            return
        if not embeddings.enabled():
            self.stdout.write(_("Dense search is off (no embedding model); skipped vectors."))
            return
        pending = len(embeddings.missing_passages())
        progress = Progress(
            pending, unit=_("passages"), enabled=options["progress"], stream=self.stderr
        )
        with progress as bar:
            embedded = embeddings.embed_missing(advance=bar.advance)
        self.stdout.write(_("Embedded %(count)d passages.") % {"count": embedded})
