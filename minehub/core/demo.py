"""Demo content: realistic organisations, one person per role, and a library of documents,
legal acts, news, events and project profiles in four languages, all flagged ``is_demo``.

Loaded by ``minehub setup`` (so by ``make run``); never needed by the product itself.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from minehub.accounts.models import Membership, User
from minehub.accounts.roles import Role, grant_role
from minehub.core.models import Mineral, Region, Topic
from minehub.directory.models import Organisation
from minehub.library import ingest
from minehub.publishing import workflow
from minehub.publishing.models import RevisionAction

logger = logging.getLogger(__name__)

DEMO_DIR = Path(__file__).resolve().parent / "demo_data"
LIBRARY_FILE = DEMO_DIR / "library.jsonl"
# The day the demo calendar was written: its events lie around it (some past, some to
# come), and loading the demo later moves them on by the weeks since, so a demo loaded in
# any year still shows upcoming events, on the same weekdays.
DEMO_CALENDAR_WRITTEN = datetime.date(2026, 11, 22)
EVENT_TIME_KEYS = ("starts_at", "ends_at")


@dataclass
class DemoReport:
    organisations_created: int = 0
    people_created: int = 0
    admin_email: str = ""
    admin_password: str = ""
    library_created: int = 0
    library_updated: int = 0
    # Rejected lines and importer warnings: empty unless library.jsonl is broken.
    library_problems: list[str] = field(default_factory=list)
    measurements_added: int = 0
    posts_added: int = 0


def _read(name: str) -> list[dict]:
    return json.loads((DEMO_DIR / name).read_text(encoding="utf-8"))


def _load_organisations(report: DemoReport) -> dict[str, Organisation]:
    regions = {region.code: region for region in Region.objects.all()}
    organisations = {}
    for item in _read("organisations.json"):
        values = {
            "acronym": item.get("acronym", ""),
            "kind": item["kind"],
            "country": item["country"],
            "region": regions.get(item.get("region") or ""),
            "website": item.get("website", ""),
            "is_demo": True,
            **{f"name_{code}": text for code, text in item["names"].items()},
            **{f"description_{code}": text for code, text in item.get("descriptions", {}).items()},
        }
        organisation, created = Organisation.objects.get_or_create(
            slug=item["slug"], defaults=values
        )
        report.organisations_created += created
        organisations[item["slug"]] = organisation
    return organisations


def _load_people(report: DemoReport, organisations: dict[str, Organisation]) -> None:
    for item in _read("people.json"):
        email = item["email"].lower()
        if User.objects.filter(email=email).exists():
            continue
        user = User.objects.create_user(
            email=email,
            name=item["name"],
            bio=item.get("bio", {}).get("text", ""),
            languages=item.get("languages", []),
            listed_in_directory=True,
            is_demo=True,
        )
        user.set_unusable_password()  # demo people log in through "forgot password"
        user.save(update_fields=["password"])
        user.emailaddress_set.create(email=email, verified=True, primary=True)
        organisation = organisations.get(item.get("organisation") or "")
        role = Role(item["role"])
        if organisation is not None:
            Membership.objects.get_or_create(user=user, organisation=organisation)
        if role == Role.EDITOR and organisation is not None:
            grant_role(user, role, organisation)
        elif role not in (Role.MEMBER, Role.EDITOR):
            grant_role(user, role)
        report.people_created += 1


def _ensure_admin(report: DemoReport) -> None:
    email = settings.MINEHUB_DEMO_ADMIN_EMAIL
    if User.objects.filter(email=email).exists():
        return
    password = secrets.token_urlsafe(12)
    admin = User.objects.create_superuser(email=email, password=password, name="MineHub Admin")
    admin.is_demo = True
    admin.save(update_fields=["is_demo"])
    admin.emailaddress_set.create(email=email, verified=True, primary=True)
    report.admin_email, report.admin_password = email, password


# --- library: documents, legal acts, news, events, projects -------------------------------------
#
# library.jsonl is in the ``minehub import_documents`` format (docs/import.md), so the demo
# goes through the same importer as real content and is idempotent the same way (matched on
# external_id). Each line also names its owning ``organisation`` and may carry details the
# importer does not read (yet); load_demo applies those itself, after the import. Whatever
# the importer learns to read later is passed to it instead, automatically.

# Keys the loader handles itself when the importer does not take them for a line's type.
DEMO_KEYS = frozenset(
    {
        "organisation",
        "licence",
        "minerals",
        "act_status",
        "replaces",
        "in_force_until",
        "project_status",
        "website",
        "organiser",
        "registration_url",
    }
)
# Plain fields copied as they are written in the file.
DEMO_SCALAR_FIELDS = (
    "licence",
    "act_status",
    "project_status",
    "website",
    "organiser",
    "registration_url",
)


def read_library(path: Path = LIBRARY_FILE) -> list[dict[str, Any]]:
    """The demo library lines, checked for what the importer cannot check: every line
    names a demo organisation, uses only known keys, and is not a translation of an item
    imported after it (items are imported one organisation at a time, in file order)."""
    lines = [
        json.loads(raw) for raw in path.read_text(encoding="utf-8").splitlines() if raw.strip()
    ]
    order: dict[str, int] = {}
    owner: dict[str, str] = {}
    for line in lines:
        organisation = line.get("organisation")
        if not organisation:
            raise ValueError(f"{line['external_id']}: no organisation")
        order.setdefault(organisation, len(order))
        owner[line["external_id"]] = organisation
        unknown = set(line) - _importer_keys(line["type"]) - DEMO_KEYS
        if unknown:
            raise ValueError(f"{line['external_id']}: unknown keys {sorted(unknown)}")
    for line in lines:
        target = line.get("translation_of")
        if target and order[owner[target]] > order[line["organisation"]]:
            raise ValueError(
                f"{line['external_id']}: its original {target} belongs to an organisation "
                "imported later; give both the same organisation or reorder the file"
            )
    return lines


def _importer_keys(type_key: str) -> frozenset[str]:
    return ingest.COMMON_KEYS | ingest.TYPE_KEYS.get(type_key, frozenset())


def _load_library(report: DemoReport, organisations: dict[str, Organisation]) -> None:
    lines = read_library()
    by_organisation: dict[str, list[dict[str, Any]]] = {}
    for line in lines:
        by_organisation.setdefault(line["organisation"], []).append(line)
    # The importer gives one owner to a whole file, so each organisation gets its own.
    weeks = _weeks_since_written(datetime.date.today())
    with tempfile.TemporaryDirectory(prefix="minehub-demo-") as folder:
        for slug, group in by_organisation.items():
            if slug not in organisations:
                raise ValueError(f"library.jsonl: {slug} is not in organisations.json")
            part = Path(folder) / f"{slug}.jsonl"
            with part.open("w", encoding="utf-8") as out:
                for line in group:
                    accepted = _importer_keys(line["type"])
                    importable = {key: value for key, value in line.items() if key in accepted}
                    _move_event_on(importable, weeks)
                    out.write(json.dumps(importable, ensure_ascii=False) + "\n")
            summary = ingest.import_documents(
                part, organisation=organisations[slug], files_root=DEMO_DIR
            )
            report.library_created += summary.created
            report.library_updated += summary.updated
            report.library_problems += [str(problem) for problem in summary.rejected]
            report.library_problems += [str(problem) for problem in summary.warnings]
    for problem in report.library_problems:
        logger.warning("demo library: %s", problem)
    _apply_demo_details(lines)


def _weeks_since_written(today: datetime.date) -> int:
    return max(0, (today - DEMO_CALENDAR_WRITTEN).days // 7)


def _move_event_on(line: dict[str, Any], weeks: int) -> None:
    """Moves an event line's times on by ``weeks`` (see DEMO_CALENDAR_WRITTEN)."""
    for key in EVENT_TIME_KEYS:
        if weeks and line.get(key):
            moment = datetime.datetime.fromisoformat(line[key])
            line[key] = (moment + datetime.timedelta(weeks=weeks)).isoformat()


def _apply_demo_details(lines: list[dict[str, Any]]) -> None:
    """Flags the imported items as demo content and sets the details the importer does
    not read, saving (with a revision) only items whose details differ."""
    ids_by_type: dict[str, list[str]] = {}
    for line in lines:
        ids_by_type.setdefault(line["type"], []).append(line["external_id"])
    for type_key, ids in ids_by_type.items():
        # A flag on the row rather than content, so no revision; done before the items
        # are read below, or saving them would write the old flag back.
        ingest.CONTENT_MODELS[type_key].objects.filter(external_id__in=ids, is_demo=False).update(
            is_demo=True
        )
    minerals = dict(Mineral.objects.values_list("slug", "pk"))
    acts = dict(
        ingest.CONTENT_MODELS["legal_act"]
        .objects.filter(external_id__in=ids_by_type.get("legal_act", []))
        .values_list("external_id", "pk")
    )
    for type_key, ids in ids_by_type.items():
        items = {
            item.external_id: item
            for item in ingest.CONTENT_MODELS[type_key]
            .objects.filter(external_id__in=ids)
            .prefetch_related("minerals")
        }
        for line in lines:
            item = items.get(line["external_id"]) if line["type"] == type_key else None
            if item is None:
                continue  # rejected by the importer: already in report.library_problems
            details = {k: v for k, v in line.items() if k not in _importer_keys(type_key)}
            _set_details(item, details, minerals, acts)


def _set_details(
    item: Any, details: dict[str, Any], minerals: dict[str, int], acts: dict[str, int]
) -> None:
    changed = False
    values: dict[str, Any] = {name: details[name] for name in DEMO_SCALAR_FIELDS if name in details}
    if "in_force_until" in details:
        values["in_force_until"] = datetime.date.fromisoformat(details["in_force_until"])
    if "replaces" in details:
        values["replaces_id"] = acts[details["replaces"]]
    for name, value in values.items():
        if getattr(item, name) != value:
            setattr(item, name, value)
            changed = True
    m2m = {}
    if "minerals" in details:
        wanted = {minerals[slug] for slug in details["minerals"]}
        if wanted != {mineral.pk for mineral in item.minerals.all()}:
            m2m["minerals"] = sorted(wanted)
    if changed or m2m:
        # A revision like the importer's own, so the history shows the state in full.
        workflow.save_item(item, None, item.version, m2m=m2m, action=RevisionAction.IMPORT)


@transaction.atomic
def load_demo() -> DemoReport:
    """Creates what is missing of the demo content; running it again changes nothing
    (but the dates of demo events and results, kept current: see _move_event_on and
    _bring_forward)."""
    report = DemoReport()
    organisations = _load_organisations(report)
    _load_people(report, organisations)
    _ensure_admin(report)
    _load_library(report, organisations)
    _load_monitoring(report)
    _load_exchange(report)
    return report


MONITORING_DIR = DEMO_DIR / "monitoring"


def _bring_forward(batch: Any) -> None:
    """Moves a demo batch's results forward by whole years so that the latest is within
    the last twelve months: the demo files date from 2024, and a demo whose every station
    reads "no recent data" shows nothing of the status colours, summaries and alerts."""
    from django.db.models import Max
    from django.utils import timezone

    from minehub.monitoring.models import Exceedance, Measurement

    latest = Measurement.objects.filter(batch=batch).aggregate(latest=Max("sampled_at"))["latest"]
    if latest is None:
        return
    now = timezone.now()
    years = now.year - latest.year - (1 if _add_years(latest, now.year - latest.year) > now else 0)
    if years <= 0:
        return
    results = list(Measurement.objects.filter(batch=batch))
    for result in results:
        result.sampled_at = _add_years(result.sampled_at, years)
    Measurement.objects.bulk_update(results, ["sampled_at"])
    exceedances = list(Exceedance.objects.filter(measurement__batch=batch))
    for exceedance in exceedances:
        exceedance.sampled_at = _add_years(exceedance.sampled_at, years)
    Exceedance.objects.bulk_update(exceedances, ["sampled_at"])


def _add_years(moment: datetime.datetime, years: int) -> datetime.datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + years, day=28)


def _load_monitoring(report: DemoReport) -> None:
    """Demo sites, stations and results, loaded through the importers (idempotent)."""
    from minehub.monitoring import ingest
    from minehub.monitoring.models import BatchSource, BatchStatus, ImportBatch
    from minehub.monitoring.sites import import_stations

    loaded = import_stations((MONITORING_DIR / "stations.json").read_bytes(), "stations.json")
    report.library_problems.extend(loaded.errors)
    for path in sorted(MONITORING_DIR.glob("*.csv")):
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if ImportBatch.objects.filter(sha256=digest, status=BatchStatus.IMPORTED).exists():
            continue  # loaded by an earlier run
        batch = ingest.receive(data, path.name, source=BatchSource.COMMAND)
        ingest.check(batch)
        batch = ingest.commit(batch)
        _bring_forward(batch)
        report.measurements_added += batch.rows_added


def _load_exchange(report: DemoReport) -> None:
    """A few threads of the knowledge exchange in three languages, written by demo
    people: visible at once (they stand for posts moderators approved long ago). Each post
    is matched on its external id, so loading again adds nothing."""
    from django.utils import timezone

    from minehub.exchange.models import Post, Reply, State

    data = json.loads((DEMO_DIR / "exchange.json").read_text(encoding="utf-8"))
    people = {user.email: user for user in User.objects.filter(is_demo=True)}
    topics = {topic.slug: topic for topic in Topic.objects.all()}
    minerals = {mineral.slug: mineral for mineral in Mineral.objects.all()}
    for item in data["posts"]:
        if Post.objects.filter(external_id=item["external_id"]).exists():
            continue
        now = timezone.now()
        post = Post.objects.create(
            external_id=item["external_id"],
            author=people[item["author"]],
            kind=item["kind"],
            language=item["language"],
            title=item["title"],
            body=item["body"],
            state=State.VISIBLE,
            published_at=now,
            last_activity_at=now,
            reply_count=len(item["replies"]),
        )
        post.topics.set(topics[slug] for slug in item["topics"])
        post.minerals.set(minerals[slug] for slug in item["minerals"])
        replies: dict[str, Reply] = {}
        for reply in item["replies"]:
            replies[reply["key"]] = Reply.objects.create(
                post=post,
                parent=replies.get(reply.get("parent", "")),
                author=people[reply["author"]],
                kind=reply["kind"],
                language=reply["language"],
                body=reply["body"],
                state=State.VISIBLE,
            )
            if reply.get("accepted"):
                post.accepted_answer = replies[reply["key"]]
        post.save(update_fields=["accepted_answer"])
        report.posts_added += 1
