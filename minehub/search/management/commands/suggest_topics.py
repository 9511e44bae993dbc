"""``minehub suggest_topics [--apply] [--type TYPE]``: topics for items that have none.

Imports from older hubs often come without topics, which leaves them out of every topic
page and facet. This lists, for each published item without a topic, the topics the
thesaurus finds in its text (``minehub.search.tagging``); with ``--apply`` it adds them,
each item as a new revision that says where the topics came from (an editor can undo it
like any edit). Items that already have topics are left to their editors."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minehub.publishing import workflow
from minehub.publishing.content import Status
from minehub.publishing.registry import CONTENT_TYPES
from minehub.search import tagging


class Command(BaseCommand):
    help = gettext_lazy(
        "List (or with --apply, add) the topics the thesaurus finds in published items "
        "that have no topic."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--apply",
            action="store_true",
            help=gettext_lazy("Add the suggested topics (one new revision per item)."),
        )
        parser.add_argument(
            "--type",
            choices=sorted(CONTENT_TYPES),
            help=gettext_lazy("Only items of this type."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        keys = [options["type"]] if options["type"] else list(CONTENT_TYPES)
        suggested = tagged = untouched = 0
        for key in keys:
            model = CONTENT_TYPES[key].model
            items = model.objects.filter(status=Status.PUBLISHED, topics__isnull=True)
            for item in items.order_by("pk").iterator(chunk_size=500):
                found = tagging.suggest(item.title, f"{item.summary}\n\n{item.body}", item.language)
                if not found:
                    untouched += 1
                    continue
                suggested += 1
                names = ", ".join(str(suggestion.topic.name) for suggestion in found)
                self.stdout.write(f"{key} {item.pk} “{item.title[:80]}”: {names}")
                if options["apply"]:
                    tagged += self._apply(item, [suggestion.topic.pk for suggestion in found])
        self.stdout.write(
            _(
                "Items with suggestions: %(suggested)s; tagged now: %(tagged)s; "
                "nothing found: %(untouched)s."
            )
            % {"suggested": suggested, "tagged": tagged, "untouched": untouched}
        )

    def _apply(self, item: Any, topic_ids: list[int]) -> int:
        try:
            with transaction.atomic():
                workflow.save_item(
                    item,
                    None,
                    item.version,
                    m2m={"topics": topic_ids},
                    comment=_("Topics suggested by the thesaurus"),
                )
        except workflow.EditConflict:
            # An editor saved the item meanwhile: their version stands; run again later.
            return 0
        return 1
