"""Importing a file into the database: the :class:`Importer` and :func:`import_documents`.

Reads the file (:mod:`.reading`), parses each line (:mod:`.parse`), compares it with the
stored item and writes it in its own transaction, attaching the files it names
(:mod:`.attachments`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import DataError, IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minehub.core.models import Region, Topic
from minehub.core.progress import Progress
from minehub.directory.models import Organisation
from minehub.exchange import importing as post_importing
from minehub.exchange.models import Post, State
from minehub.library import files as library_files
from minehub.library.ingest.attachments import _File, _remove_orphan_blobs, _sha256, resolve_file
from minehub.library.ingest.parse import (
    IMPORTED_MODELS,
    TYPES,
    Record,
    decode_line,
    parse_line,
    parse_record,
    read_external_id,
)
from minehub.library.ingest.reading import BOM, _chunks, _read_lines, check_file
from minehub.library.ingest.summary import ImportSummary, LineRejected, Outcome, Problem
from minehub.library.models import Attachment, StoredFile
from minehub.publishing import workflow
from minehub.publishing.content import Publishable, Status
from minehub.publishing.models import RevisionAction

# Many-to-many fields the importer manages, per type (minerals and SDGs are left alone).
RELATIONS: dict[str, tuple[str, ...]] = {
    key: ("topics", "regions", "donors", "implementers")
    if key == "project"
    else ("topics", "regions")
    for key in IMPORTED_MODELS
}


@dataclass
class _Pending:
    """A line whose ``translation_of`` names an item not seen yet: imported at the end."""

    line: int
    offset: int
    external_id: str
    translation_of: str


@dataclass
class _LineState:
    """What one line produced besides the item; kept only when its transaction commits."""

    warnings: list[str] = field(default_factory=list)
    new_topics: dict[str, int] = field(default_factory=dict)
    new_blobs: list[tuple[str, str]] = field(default_factory=list)  # (sha256, storage name)


# external_id → {type: pk}; more than one type only when the database already holds a
# conflict (the same external_id in two tables), which the importer reports.
Found = dict[str, dict[str, int]]


class Importer:
    """Imports one JSON Lines file; see :func:`import_documents`."""

    def __init__(
        self,
        *,
        organisation: Organisation | None = None,
        files_root: Path | None = None,
        create_missing_topics: bool = False,
        dry_run: bool = False,
        progress: Progress | None = None,
        post_author: Any = None,
    ) -> None:
        self.organisation = organisation
        # Who posts without an ``author`` are by; None: the hub's import account.
        self.post_author = post_author
        self.files_root = files_root
        self.create_missing_topics = create_missing_topics
        self.dry_run = dry_run
        self.progress = progress
        self.summary = ImportSummary(dry_run=dry_run)
        self._seen: dict[str, int] = {}  # external_id → the line that first used it
        self._known: Found = {}  # items this run created or checked
        self._pending: list[_Pending] = []
        self._topics: dict[str, int] = {}
        self._regions: dict[str, int] = {}
        self._organisations: dict[str, int | None] = {}
        self._root = Path()
        self._new_blobs: list[tuple[str, str]] = []  # written by this run's committed lines
        self._authors: dict[str, Any] = {}  # e-mail → member, for post lines

    # -- the run

    def run(self, path: Path) -> ImportSummary:
        path = Path(path)
        self.summary.lines = check_file(path)
        self._root = (self.files_root or path.parent).resolve()
        if self.progress is not None:
            self.progress.total = self.summary.lines
        # A dry run does everything a real one does, then rolls it all back; each line's
        # own transaction becomes a savepoint inside this one.
        with transaction.atomic() if self.dry_run else nullcontext():
            self._topics = dict(Topic.objects.values_list("slug", "pk"))
            self._regions = dict(Region.objects.values_list("code", "pk"))
            with path.open("rb") as handle:
                for chunk in _chunks(_read_lines(handle)):
                    self._import_chunk(chunk)
                self._import_pending(handle)
            if self.dry_run:
                transaction.set_rollback(True)
        if self.dry_run:
            _remove_orphan_blobs(self._new_blobs)
        self.summary.rejected.sort(key=lambda problem: problem.line)
        self.summary.warnings.sort(key=lambda problem: problem.line)
        return self.summary

    def _advance(self) -> None:
        if self.progress is not None:
            self.progress.advance()

    def _reject(self, line: int, external_id: str, reason: str, type_key: str = "") -> None:
        self.summary.rejected.append(Problem(line, external_id, reason))
        if type_key in TYPES:
            self.summary.count(type_key, Outcome.REJECTED)

    def _parse(self, number: int, raw: bytes) -> Record:
        """Parses a line and claims its external_id (the first line using an id keeps it,
        even when rejected for another reason, so fixing that line and importing again
        gives the same result)."""
        data = decode_line(raw)
        if isinstance(data, dict):
            try:
                external_id = read_external_id(data)
            except LineRejected:
                pass  # parse_record reports it
            else:
                first = self._seen.setdefault(external_id, number)
                if first != number:
                    raise LineRejected(
                        _("external_id “%(external_id)s” already appears on line %(first)s.")
                        % {"external_id": external_id, "first": first},
                        external_id,
                    )
        return parse_record(data, number)

    def _import_chunk(self, chunk: list[tuple[int, int, bytes]]) -> None:
        records: list[tuple[Record, int]] = []
        for number, offset, raw in chunk:
            if not raw.strip():
                self._advance()
                continue
            try:
                record = self._parse(number, raw)
            except LineRejected as error:
                self._reject(number, error.external_id, error.reason, _type_of(raw))
                self._advance()
                continue
            records.append((record, offset))
        if not records:
            return
        found = self._lookup(
            {record.external_id for record, _offset in records}
            | {record.translation_of for record, _offset in records if record.translation_of}
        )
        instances = self._instances([record for record, _offset in records], found)
        for record, offset in records:
            target = record.translation_of
            if target and target != record.external_id and not self._where(target, found):
                # Perhaps further down the file: import it once the whole file was read.
                self._pending.append(_Pending(record.line, offset, record.external_id, target))
                continue
            self._import_record(record, found, instances)
            self._advance()

    def _import_pending(self, handle: BinaryIO) -> None:
        """Imports the lines held back for their translation target, targets first (a
        translation of a translation waits for its own target; a cycle is broken at the
        first line met, which is imported without the link)."""
        by_id = {pending.external_id: pending for pending in self._pending}
        done: set[str] = set()
        for pending in self._pending:
            chain: list[_Pending] = []
            in_chain: set[str] = set()
            current: _Pending | None = pending
            while (
                current is not None
                and current.external_id not in done
                and current.external_id not in in_chain
            ):
                chain.append(current)
                in_chain.add(current.external_id)
                current = by_id.get(current.translation_of)
            for entry in reversed(chain):
                self._import_pending_line(handle, entry)
                done.add(entry.external_id)

    def _import_pending_line(self, handle: BinaryIO, pending: _Pending) -> None:
        handle.seek(pending.offset)
        raw = handle.readline()
        if pending.line == 1 and raw.startswith(BOM):
            raw = raw[len(BOM) :]
        try:
            record = parse_line(raw, pending.line)
        except LineRejected as error:  # the file changed under us
            self._reject(pending.line, pending.external_id, error.reason, _type_of(raw))
        else:
            found = self._lookup({record.external_id, record.translation_of})
            self._import_record(record, found, self._instances([record], found))
        self._advance()

    # -- lookups

    def _lookup(self, external_ids: set[str]) -> Found:
        found: Found = {}
        ids = sorted(external_ids)
        for type_key, model in IMPORTED_MODELS.items():
            for external_id, pk in model._default_manager.filter(external_id__in=ids).values_list(
                "external_id", "pk"
            ):
                found.setdefault(external_id, {})[type_key] = pk
        return found

    def _where(self, external_id: str, found: Found) -> dict[str, int]:
        return self._known.get(external_id) or found.get(external_id) or {}

    def _instances(self, records: list[Record], found: Found) -> dict[tuple[str, int], Any]:
        """The stored items the records update, with their relations prefetched."""
        wanted: dict[str, list[int]] = {}
        for record in records:
            pk = found.get(record.external_id, {}).get(record.type)
            if pk is not None:
                wanted.setdefault(record.type, []).append(pk)
        instances: dict[tuple[str, int], Any] = {}
        for type_key, pks in wanted.items():
            model = IMPORTED_MODELS[type_key]
            items = model._default_manager.filter(pk__in=pks)
            for item in items.prefetch_related(*RELATIONS[type_key]):
                instances[(type_key, item.pk)] = item
        return instances

    def _organisation_ids(self, slugs: Iterable[str]) -> None:
        missing = [slug for slug in slugs if slug not in self._organisations]
        if missing:
            stored = dict(Organisation.objects.filter(slug__in=missing).values_list("slug", "pk"))
            for slug in missing:
                self._organisations[slug] = stored.get(slug)

    # -- one line

    def _import_record(
        self, record: Record, found: Found, instances: dict[tuple[str, int], Any]
    ) -> None:
        state = _LineState(warnings=list(record.notes))
        try:
            with transaction.atomic():
                outcome, item = self._write(record, found, instances, state)
        except (
            LineRejected,
            ValidationError,
            workflow.EditConflict,
            IntegrityError,
            DataError,
        ) as error:
            _remove_orphan_blobs(state.new_blobs)
            self._reject(record.line, record.external_id, _reason(error), record.type)
            return
        self._new_blobs.extend(state.new_blobs)
        self._known[record.external_id] = {record.type: item.pk}
        self._topics.update(state.new_topics)
        self.summary.count(record.type, outcome)
        self.summary.warnings.extend(
            Problem(record.line, record.external_id, message) for message in state.warnings
        )

    def _write(
        self,
        record: Record,
        found: Found,
        instances: dict[tuple[str, int], Any],
        state: _LineState,
    ) -> tuple[str, Any]:
        stored = found.get(record.external_id, {})
        if stored and record.type not in stored:
            raise LineRejected(
                _(
                    "external_id “%(external_id)s” belongs to a stored %(stored)s; "
                    "an imported item cannot change its type."
                )
                % {"external_id": record.external_id, "stored": ", ".join(sorted(stored))}
            )
        pk = stored.get(record.type)
        item = instances.get((record.type, pk)) if pk is not None else None
        if record.type == "post":
            return self._write_post(record, item, state)
        model = IMPORTED_MODELS[record.type]
        values = dict(record.values)
        values.update(self._status_values(record, item))
        values["translation_of_id"] = self._translation_target(record, found, state)
        if self.organisation is not None:
            values["organisation_id"] = self.organisation.pk
        relations = self._relation_ids(record, state)
        files = self._files(record)

        if item is None:
            item = model(external_id=record.external_id, **values)
            workflow.create_item(
                item,
                None,
                m2m={name: ids for name, ids in relations.items() if ids},
                action=RevisionAction.IMPORT,
            )
            self._attach(item, files, state)
            return Outcome.CREATED, item

        changed = [name for name, value in values.items() if getattr(item, name) != value]
        changed_relations = {
            name: ids
            for name, ids in relations.items()
            if set(ids) != {related.pk for related in getattr(item, name).all()}
        }
        new_files = self._unattached(item, files)
        if not changed and not changed_relations and not new_files:
            return Outcome.UNCHANGED, item
        unlinked = "translation_of_id" in changed and values["translation_of_id"] is None
        for name in changed:
            setattr(item, name, values[name])
        if unlinked:
            # No longer a translation: it leaves its former original's group.
            item.translation_group = uuid.uuid4()
        comment = ""
        if new_files:
            comment = _("Files attached by the import: %(files)s") % {
                "files": ", ".join(file.name for file in new_files)
            }
        workflow.save_item(
            item,
            None,
            item.version,
            m2m=changed_relations,
            action=RevisionAction.IMPORT,
            comment=comment,
        )
        self._attach(item, new_files, state)
        return Outcome.UPDATED, item

    def _write_post(self, record: Record, post: Post | None, state: _LineState) -> tuple[str, Post]:
        """Creates or updates a member post: visible when the line is published, held for
        the moderators otherwise; a moderator's decision (rejected, hidden, deleted) is
        kept. Followers are not notified: an import brings the past, not news."""
        author = self._author_of(record)
        relations = self._relation_ids(record, state)
        files = self._files(record)
        wanted = post_importing.Wanted(
            values=dict(record.values),
            author=author,
            organisation_id=(
                self.organisation.pk
                if self.organisation is not None
                else (post.organisation_id if post is not None else None)
            ),
            published=record.published,
            topics=relations["topics"],
            regions=relations["regions"],
        )
        if post is None:
            post = post_importing.create(record.external_id, wanted)
            self._attach(post, files, state)
            return Outcome.CREATED, post
        new_files = self._unattached(post, files)
        changed, kept_state = post_importing.update(post, wanted)
        if kept_state is not None:
            state.warnings.append(
                _("the post is “%(state)s” on the hub; the import left it so.")
                % {"state": State(kept_state).label}
            )
        self._attach(post, new_files, state)
        return (Outcome.UPDATED if changed or new_files else Outcome.UNCHANGED), post

    def _author_of(self, record: Record) -> Any:
        if not record.author:
            # Not kept: created inside this line's transaction, the account would be gone
            # if the line were rolled back.
            return self.post_author or post_importing.import_account()
        if record.author not in self._authors:
            self._authors[record.author] = post_importing.member_by_email(record.author)
        author = self._authors[record.author]
        if author is None:
            raise LineRejected(
                _("“author”: no member of the hub has the e-mail address “%(email)s”.")
                % {"email": record.author}
            )
        return author

    def _status_values(self, record: Record, item: Publishable | None) -> dict[str, Any]:
        if record.published is False:
            return {"status": Status.DRAFT, "published_at": None}
        if record.published is True:
            # "Published, date unknown": keep the first publication date once there is
            # one, or every import would move the item to the top of the listings.
            if item is not None and item.status == Status.PUBLISHED and item.published_at:
                return {"status": Status.PUBLISHED, "published_at": item.published_at}
            return {"status": Status.PUBLISHED, "published_at": timezone.now()}
        return {"status": Status.PUBLISHED, "published_at": record.published}

    def _translation_target(self, record: Record, found: Found, state: _LineState) -> int | None:
        target = record.translation_of
        if not target:
            return None
        if target == record.external_id:
            state.warnings.append(_("an item cannot be a translation of itself; link ignored."))
            return None
        where = self._where(target, found)
        if record.type in where:
            return where[record.type]
        if where:
            state.warnings.append(
                _(
                    "translation_of “%(target)s” is a %(target_type)s, not a %(type)s; "
                    "imported without the translation link."
                )
                % {"target": target, "target_type": ", ".join(sorted(where)), "type": record.type}
            )
        else:
            state.warnings.append(
                _(
                    "translation_of “%(target)s” names no item in the hub or in this file; "
                    "imported without the translation link."
                )
                % {"target": target}
            )
        return None

    def _relation_ids(self, record: Record, state: _LineState) -> dict[str, list[int]]:
        relations: dict[str, list[int]] = {}
        topics, unknown_topics = [], []
        for slug in record.relations["topics"]:
            pk = self._topics.get(slug) or state.new_topics.get(slug)
            if pk is None and self.create_missing_topics:
                pk = self._create_topic(slug, state)
            if pk is None:
                unknown_topics.append(slug)
            else:
                topics.append(pk)
        if unknown_topics:
            state.warnings.append(
                _("unknown topics were skipped: %(topics)s.")
                % {"topics": ", ".join(unknown_topics)}
            )
        relations["topics"] = topics
        regions = [
            self._regions[code] for code in record.relations["regions"] if code in self._regions
        ]
        unknown_regions = [
            code for code in record.relations["regions"] if code not in self._regions
        ]
        if unknown_regions:
            state.warnings.append(
                _("unknown region codes were skipped: %(regions)s.")
                % {"regions": ", ".join(unknown_regions)}
            )
        relations["regions"] = regions
        for name in ("donors", "implementers"):
            if name not in RELATIONS[record.type]:
                continue
            slugs = record.relations.get(name, [])
            self._organisation_ids(slugs)
            relations[name] = [
                pk for slug in slugs if (pk := self._organisations.get(slug)) is not None
            ]
            unknown = [slug for slug in slugs if self._organisations.get(slug) is None]
            if unknown:
                state.warnings.append(
                    _("unknown organisations in “%(key)s” were skipped: %(slugs)s.")
                    % {"key": name, "slugs": ", ".join(unknown)}
                )
        return relations

    def _create_topic(self, slug: str, state: _LineState) -> int | None:
        try:
            validate_slug(slug)
        except ValidationError:
            return None  # reported with the unknown topics
        if len(slug) > Topic._meta.get_field("slug").max_length:
            return None
        # Named after its slug in English only; the other languages fall back to English
        # until a data steward names the topic properly.
        name = slug.replace("-", " ").replace("_", " ").capitalize()
        topic = Topic.objects.create(
            slug=slug, name_en=name, name_mn="", name_ky="", name_ru="", position=1000
        )
        state.new_topics[slug] = topic.pk
        state.warnings.append(_("topic “%(slug)s” was created.") % {"slug": slug})
        return topic.pk

    # -- files

    def _files(self, record: Record) -> list[_File]:
        files = []
        for relative in record.files:
            path = resolve_file(self._root, relative)
            files.append(_File(path, Path(relative).name, _sha256(path)))
        return files

    def _unattached(self, item: models.Model, files: list[_File]) -> list[_File]:
        """The files not attached to ``item`` yet (compared by content, as stored)."""
        if not files:
            return []
        attached = set(
            Attachment.objects.filter(
                content_type=ContentType.objects.get_for_model(item), object_id=item.pk
            ).values_list("file__sha256", flat=True)
        )
        return [file for file in files if file.sha256 not in attached]

    def _attach(self, item: models.Model, files: list[_File], state: _LineState) -> None:
        for file in files:
            is_new = not StoredFile.objects.filter(sha256=file.sha256).exists()
            with file.path.open("rb") as handle:
                # Refuses what the library refuses (FileRejected, a ValidationError: the
                # line is rejected) and queues text extraction for new bytes on commit.
                stored = library_files.store_upload(handle, file.name)
            if is_new:
                # The blob is written outside the database transaction; remembered so it
                # can be removed if the line (or the dry run) is rolled back.
                state.new_blobs.append((stored.sha256, stored.blob.name))
            library_files.attach(item, stored, file.name)


def _reason(error: Exception) -> str:
    """The message a rejected line is reported with."""
    if isinstance(error, LineRejected):
        return error.reason
    if isinstance(error, ValidationError):  # a refused file (FileRejected), among others
        return " ".join(error.messages)
    if isinstance(error, workflow.EditConflict):
        return _("The item was changed in the hub during the import; import the file again.")
    return _("The database refused the line: %(error)s") % {"error": error}


def _type_of(raw: bytes) -> str:
    """The ``type`` of a rejected line when it can be read, for the per-type counts."""
    try:
        data = decode_line(raw)
    except LineRejected:
        return ""
    value = data.get("type") if isinstance(data, dict) else None
    return value if isinstance(value, str) and value in TYPES else ""


def import_documents(
    path: Path | str,
    *,
    organisation: Organisation | None = None,
    files_root: Path | None = None,
    create_missing_topics: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
    post_author: Any = None,
) -> ImportSummary:
    """Imports the JSON Lines file at ``path`` and returns what happened.

    ``organisation`` owns the imported items (existing items keep theirs when it is not
    given); ``files_root`` is where ``files`` paths are looked up (default: the file's
    folder); with ``create_missing_topics`` unknown topic slugs become new topics instead
    of warnings; ``post_author`` writes the posts without an ``author`` (default: the
    hub's import account); ``dry_run`` validates and writes nothing. Raises
    :class:`ImportFileError` when the file as a whole cannot be read; problems with single
    lines are in the summary instead.
    """
    importer = Importer(
        organisation=organisation,
        files_root=files_root,
        create_missing_topics=create_missing_topics,
        dry_run=dry_run,
        progress=progress,
        post_author=post_author,
    )
    return importer.run(Path(path))
