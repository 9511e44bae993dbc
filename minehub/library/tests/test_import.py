"""``minehub import_documents``: the JSON Lines importer, through the command and the service.

The corpus is a copy of the shared evaluation data (see data/SOURCE.md); every other input
is written to real files under ``tmp_path`` and imported into the real test database.
"""

from __future__ import annotations

import datetime
import io
import json
import os
import subprocess
import sys
import zoneinfo
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone, translation
from hypothesis import given
from hypothesis import strategies as st

from minehub.core.models import Region, Topic
from minehub.core.progress import Progress, format_progress
from minehub.core.testing import make_organisation
from minehub.directory.models import Project
from minehub.exchange.models import Post
from minehub.library.files import attachments_of
from minehub.library.ingest import COMMON_KEYS, TYPE_KEYS, LineRejected, decode_line, parse_record
from minehub.library.management.commands.import_documents import Command
from minehub.library.models import Document, LegalAct, StoredFile
from minehub.publishing.content import Status
from minehub.publishing.models import Event, News, Revision, RevisionAction

CORPUS = Path(__file__).parent / "data" / "corpus.jsonl"
CORPUS_ITEMS = 72  # 80 lines, 8 of them member posts (which keep no revisions)
CORPUS_POSTS = 8
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Path) -> None:
    # Attached files are stored for real, but never in the project's var/ folder.
    settings.MEDIA_ROOT = tmp_path / "media"


class Run:
    """What one command run printed and the exit status it would end with."""

    def __init__(self, out: str, err: str, code: int) -> None:
        self.out, self.err, self.code = out, err, code


def run_import(path: Path, *args: str) -> Run:
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with translation.override("en"):
        try:
            call_command("import_documents", str(path), *args, stdout=out, stderr=err)
        except CommandError as error:
            code = error.returncode
            err.write(str(error))
    return Run(out.getvalue(), err.getvalue(), code)


def item(external_id: str = "x-1", **values: Any) -> dict[str, Any]:
    return {
        "external_id": external_id,
        "type": "document",
        "title": f"Guide {external_id}",
        "body": "Use a **retort**.",
        "language": "en",
        **values,
    }


def write_lines(path: Path, lines: list[Any], encoding: str = "utf-8") -> Path:
    text = "\n".join(
        line if isinstance(line, str) else json.dumps(line, ensure_ascii=False) for line in lines
    )
    path.write_bytes((text + "\n").encode(encoding))
    return path


def small_pdf(text: str) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=14)
    pdf.cell(text=text)
    return bytes(pdf.output())


def by_external_id(external_id: str) -> Any:
    for model in (Document, LegalAct, News, Event, Project):
        found = model.objects.filter(external_id=external_id).first()
        if found is not None:
            return found
    raise AssertionError(f"{external_id} was not imported")


# ---------------------------------------------------------------------------- the corpus


def test_importing_the_corpus_creates_every_type_including_member_posts() -> None:
    run = run_import(CORPUS, "--no-progress")

    assert run.code == 0
    counts = {
        model.__name__: model.objects.count()
        for model in (Document, LegalAct, News, Event, Project, Post)
    }
    assert counts == {
        "Document": 31, "LegalAct": 5, "News": 24, "Event": 7, "Project": 5, "Post": 8
    }  # fmt: skip
    assert "Created: 80, updated: 0, unchanged: 0, rejected: 0" in run.out
    assert "post: 8 created, 0 updated, 0 unchanged, 0 rejected" in run.out
    assert Revision.objects.filter(action=RevisionAction.IMPORT).count() == CORPUS_ITEMS


def test_corpus_items_keep_their_language_dates_and_known_topics() -> None:
    run_import(CORPUS, "--no-progress")

    first = Document.objects.get(external_id="dev-001")
    assert first.language == "mn"
    assert first.status == Status.PUBLISHED
    assert first.published_at == datetime.datetime(2021, 3, 15, tzinfo=datetime.UTC)
    assert first.year == 2021
    assert first.slug  # made from the Mongolian title
    assert list(first.topics.values_list("slug", flat=True)) == ["mercury"]
    assert first.version == 1


def test_a_translation_joins_the_group_of_its_original_even_when_the_original_comes_later() -> None:
    run_import(CORPUS, "--no-progress")

    # dev-039 (line 39) names dev-066 (line 66) as its original: resolved after the pass.
    kyrgyz = Document.objects.get(external_id="dev-039")
    original = Document.objects.get(external_id="dev-066")
    assert kyrgyz.translation_of == original
    assert kyrgyz.translation_group == original.translation_group
    # dev-043 names dev-022, which came earlier; dev-073 translates dev-022 too.
    group = Document.objects.get(external_id="dev-022").translation_group
    assert set(
        Document.objects.filter(translation_group=group).values_list("external_id", flat=True)
    ) == {"dev-022", "dev-043", "dev-073"}
    event = Event.objects.get(external_id="dev-060")
    assert event.translation_group == Event.objects.get(external_id="dev-018").translation_group


def test_the_corpus_pair_dev_020_and_dev_065_is_two_posts_without_a_translation_link() -> None:
    run = run_import(CORPUS, "--no-progress")

    assert set(
        Post.objects.filter(external_id__in=["dev-020", "dev-065"]).values_list(
            "language", flat=True
        )
    ) == {"mn", "en"}
    assert (
        "Line 20 (dev-020): posts are not linked as translations; “translation_of” was ignored."
        in run.out
    )
    assert not Document.objects.filter(external_id__in=["dev-020", "dev-065"]).exists()


def test_importing_the_same_file_twice_changes_nothing() -> None:
    run_import(CORPUS, "--no-progress")
    revisions = Revision.objects.count()
    state = {
        (model.__name__, pk): (version, updated_at)
        for model in (Document, LegalAct, News, Event, Project)
        for pk, version, updated_at in model.objects.values_list("pk", "version", "updated_at")
    }
    posts = set(Post.objects.values_list("pk", "version", "edited_at", "published_at", "state"))

    run = run_import(CORPUS, "--no-progress")

    assert "Created: 0, updated: 0, unchanged: 80, rejected: 0" in run.out
    assert Revision.objects.count() == revisions
    assert state == {
        (model.__name__, pk): (version, updated_at)
        for model in (Document, LegalAct, News, Event, Project)
        for pk, version, updated_at in model.objects.values_list("pk", "version", "updated_at")
    }
    assert posts == set(
        Post.objects.values_list("pk", "version", "edited_at", "published_at", "state")
    )


def test_an_edited_line_updates_its_item_with_one_new_revision(tmp_path: Path) -> None:
    run_import(CORPUS, "--no-progress")
    lines = CORPUS.read_text(encoding="utf-8").splitlines()
    edited = json.loads(lines[0])
    edited["title"] = "Mercury and the health of small-scale miners"
    edited["topics"] = ["mercury", "water"]
    lines[0] = json.dumps(edited, ensure_ascii=False)
    changed = write_lines(tmp_path / "corpus.jsonl", lines)
    slug = Document.objects.get(external_id="dev-001").slug

    run = run_import(changed, "--no-progress")

    assert "Created: 0, updated: 1, unchanged: 79, rejected: 0" in run.out
    document = Document.objects.get(external_id="dev-001")
    assert document.title == "Mercury and the health of small-scale miners"
    assert set(document.topics.values_list("slug", flat=True)) == {"mercury", "water"}
    assert document.version == 2
    assert document.slug == slug  # addresses stay stable when a title changes
    revision = Revision.objects.filter(object_id=document.pk, version=2).get()
    assert revision.action == RevisionAction.IMPORT
    assert {"title", "topics"} <= set(revision.changed_fields)


# ---------------------------------------------------------------------------- bad input


def test_malformed_lines_are_reported_with_their_line_numbers_while_good_lines_import(
    tmp_path: Path,
) -> None:
    path = write_lines(
        tmp_path / "mixed.jsonl",
        [
            item("good-1"),  # 1
            '{"external_id": "broken", "type": ',  # 2
            "[1, 2, 3]",  # 3
            {"external_id": "no-body", "type": "document", "title": "T", "language": "en"},  # 4
            item("bad-language", language="de"),  # 5
            item("bad-date", published="2021-13-45"),  # 6
            item("long-title", title="x" * 301),  # 7
            item("good-1", title="Second line with the same id"),  # 8
            item("", title="Empty id"),  # 9
            item("bad-type", type="memo"),  # 10
            "",  # 11: blank lines are skipped
            item("good-2", type="news"),  # 12
        ],
    )

    run = run_import(path, "--no-progress")

    assert run.code == 1
    assert "Created: 2, updated: 0, unchanged: 0, rejected: 9" in run.out
    expected = [
        "Line 2: The line is not valid JSON",
        "Line 3: The line is not a JSON object.",
        "Line 4 (no-body): Required keys are missing: body.",
        "Line 5 (bad-language): Unknown language “de”",
        "Line 6 (bad-date): “published”: “2021-13-45” is not a real date.",
        "Line 7 (long-title): “title” is longer than 300 characters (301).",
        "Line 8 (good-1): external_id “good-1” already appears on line 1.",
        "Line 9: “external_id” is empty.",
        "Line 10 (bad-type): Unknown type “memo”",
    ]
    for message in expected:
        assert message in run.out
    assert "Line 11" not in run.out
    assert Document.objects.get(external_id="good-1").title == "Guide good-1"
    assert News.objects.filter(external_id="good-2").exists()
    assert Document.objects.count() == 1


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ({"title": "   "}, "“title” is empty."),
        ({"title": 42}, "“title” must be text."),
        ({"topics": "mercury"}, "“topics” must be a list of text values."),
        ({"published": "yesterday"}, "“yesterday” is not a date."),
        ({"published": {"on": "2020"}}, "“published” must be true, false or a date."),
        ({"summary": "s" * 2001}, "“summary” is longer than 2000 characters"),
        ({"kind": "poem"}, "“kind” must be one of"),
        ({"body": "nul\x00"}, "“body” contains a NUL character."),
        ({"type": "legal_act", "in_force_from": "2017"}, "needs a full date"),
        ({"type": "event", "published": True}, "An event needs “starts_at”"),
        ({"type": "event", "starts_at": "2024-05-01T09:00"}, "give the UTC offset"),
        (
            {"type": "event", "starts_at": "2024-05-02T09:00+08:00", "ends_at": "2024-05-01"},
            "“ends_at”: give the UTC offset",
        ),
        ({"type": "event", "published": "2024", "time_zone": "Mars/Olympus"}, "not a time zone"),
        ({"type": "project", "budget": "lots"}, "“budget” must be a number."),
        ({"type": "project", "budget": "1.005"}, "more than two decimal places"),
        ({"type": "project", "currency": "dollars"}, "ISO 4217"),
        (
            {"type": "project", "starts_on": "2022-01-01", "ends_on": "2021-01-01"},
            "A project cannot end before it starts.",
        ),
    ],
)
def test_invalid_values_reject_the_line_with_a_specific_reason(
    values: dict[str, Any], reason: str
) -> None:
    with translation.override("en"), pytest.raises(LineRejected) as caught:
        parse_record(item("x-1", **values), 1)
    assert reason in caught.value.reason
    assert caught.value.external_id == "x-1"


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=6,
)
ALL_KEYS = sorted(COMMON_KEYS.union(*TYPE_KEYS.values()))


@given(
    st.dictionaries(st.sampled_from(ALL_KEYS), JSON_VALUES, max_size=12)
    | st.builds(
        lambda extra: {**item(), **extra},
        st.dictionaries(st.sampled_from(ALL_KEYS), JSON_VALUES, max_size=6),
    )
)
def test_any_json_object_either_parses_or_is_rejected_with_a_reason(data: dict[str, Any]) -> None:
    with translation.override("en"):
        try:
            record = parse_record(data, 1)
        except LineRejected as error:
            assert error.reason
        else:
            assert record.external_id
            assert record.values["title"]


@given(st.binary(max_size=60))
def test_any_bytes_either_decode_or_are_rejected_with_a_reason(raw: bytes) -> None:
    with translation.override("en"):
        try:
            decode_line(raw)
        except LineRejected as error:
            assert error.reason


def test_a_hostile_line_is_rejected_without_ending_the_import(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "items.jsonl",
        [
            "[" * 100_000,
            item("nul-path", files=["a\x00.txt"]),
            item("bad-link", translation_of=[1]),
            item("x-1"),
        ],
    )

    run = run_import(path, "--no-progress")

    assert "Line 1: The line nests JSON too deeply." in run.out
    assert "Line 2 (nul-path): “files” contains a NUL character." in run.out
    assert "Line 3 (bad-link): “translation_of” must be text." in run.out
    assert list(Document.objects.values_list("external_id", flat=True)) == ["x-1"]


def test_unknown_keys_are_imported_around_with_a_warning(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "items.jsonl", [item("x-1", sumary="typo", number="7")])

    run = run_import(path, "--no-progress")

    assert run.code == 0
    assert "Line 1 (x-1): keys not used for a document were ignored: number, sumary." in run.out


def test_a_file_with_a_byte_order_mark_imports_its_first_line(tmp_path: Path) -> None:
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(item("bom-1")).encode() + b"\r\n")

    run = run_import(path, "--no-progress")

    assert run.code == 0
    assert Document.objects.filter(external_id="bom-1").exists()


def test_a_cp1251_file_is_refused_as_a_whole_before_anything_is_written(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "legacy.jsonl",
        [item("ok-1"), item("ru-1", title="Закон о недрах", language="ru")],
        encoding="cp1251",
    )

    run = run_import(path, "--no-progress")

    assert run.code == 1
    assert "legacy.jsonl is not UTF-8 text (line 2 cannot be read as UTF-8)" in run.err
    assert not Document.objects.exists()


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    run = run_import(tmp_path / "nowhere.jsonl", "--no-progress")

    assert run.code == 1
    assert "nowhere.jsonl is not a file." in run.err


def test_an_external_id_cannot_change_its_type(tmp_path: Path) -> None:
    run_import(write_lines(tmp_path / "a.jsonl", [item("x-1")]), "--no-progress")

    run = run_import(write_lines(tmp_path / "b.jsonl", [item("x-1", type="news")]), "--no-progress")

    assert "belongs to a stored document; an imported item cannot change its type." in run.out
    assert not News.objects.exists()


# ---------------------------------------------------------------------------- options


def test_a_dry_run_reports_what_would_happen_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "guide.txt").write_text("Retorts recover mercury.", encoding="utf-8")
    path = write_lines(tmp_path / "items.jsonl", [item("x-1", files=["guide.txt"]), item("x-2")])

    run = run_import(path, "--no-progress", "--dry-run", "--create-missing-topics")

    assert run.code == 0
    assert "Dry run of" in run.out
    assert "Created: 2," in run.out
    assert not Document.objects.exists()
    assert not Revision.objects.exists()
    assert not StoredFile.objects.exists()
    assert not [path for path in (tmp_path / "media").rglob("*") if path.is_file()]


def test_the_organisation_option_sets_the_owner_and_must_name_an_existing_one(
    tmp_path: Path,
) -> None:
    owner = make_organisation("mining-federation")
    path = write_lines(tmp_path / "items.jsonl", [item("x-1")])

    refused = run_import(path, "--no-progress", "--organisation", "nobody")
    assert refused.code == 1
    assert "There is no organisation with the slug “nobody”." in refused.err
    assert not Document.objects.exists()

    run_import(path, "--no-progress", "--organisation", "mining-federation")
    assert Document.objects.get(external_id="x-1").organisation == owner
    # Without the option a re-import leaves the owner alone.
    again = run_import(path, "--no-progress")
    assert "unchanged: 1" in again.out
    assert Document.objects.get(external_id="x-1").organisation == owner


def test_unknown_topics_are_skipped_with_a_warning_unless_they_may_be_created(
    tmp_path: Path,
) -> None:
    path = write_lines(tmp_path / "items.jsonl", [item("x-1", topics=["mercury", "retorts"])])

    run = run_import(path, "--no-progress")
    assert run.code == 0
    assert "Line 1 (x-1): unknown topics were skipped: retorts." in run.out
    document = Document.objects.get(external_id="x-1")
    assert list(document.topics.values_list("slug", flat=True)) == ["mercury"]

    run = run_import(path, "--no-progress", "--create-missing-topics")
    assert "topic “retorts” was created." in run.out
    assert "updated: 1" in run.out
    assert Topic.objects.get(slug="retorts").name_en == "Retorts"
    assert set(document.topics.values_list("slug", flat=True)) == {"mercury", "retorts"}


def test_regions_are_linked_by_their_iso_code(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "items.jsonl", [item("x-1", regions=["MN-1", "kg-c", "XX-9"])])

    run = run_import(path, "--no-progress")

    assert "unknown region codes were skipped: XX-9." in run.out
    regions = Document.objects.get(external_id="x-1").regions.all()
    assert {region.code for region in regions} == {"MN-1", "KG-C"}
    assert Region.objects.filter(code="KG-C").exists()


def test_published_is_a_date_a_partial_date_true_or_false(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "items.jsonl",
        [
            item("on-day", published="2021-03-15"),
            item("in-year", published="2019"),
            item("now", published=True),
            item("draft", published=False),
            item("absent"),
        ],
    )
    before = timezone.now()

    run_import(path, "--no-progress")

    published = {d.external_id: d for d in Document.objects.all()}
    assert published["on-day"].published_at == datetime.datetime(2021, 3, 15, tzinfo=datetime.UTC)
    assert published["in-year"].published_at == datetime.datetime(2019, 1, 1, tzinfo=datetime.UTC)
    assert published["now"].status == Status.PUBLISHED
    assert published["now"].published_at >= before
    for draft in ("draft", "absent"):
        assert published[draft].status == Status.DRAFT
        assert published[draft].published_at is None
    # "Published now" keeps its first date on the next import.
    assert "unchanged: 5" in run_import(path, "--no-progress").out


def test_a_translation_of_an_unknown_item_is_imported_without_the_link(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "items.jsonl",
        [
            item("x-1", translation_of="lost-original"),
            item("x-2", type="news", translation_of="x-3"),
            item("x-3"),
        ],
    )

    run = run_import(path, "--no-progress")

    assert run.code == 0
    assert "Line 1 (x-1): translation_of “lost-original” names no item" in run.out
    assert "Line 2 (x-2): translation_of “x-3” is a document, not a news" in run.out
    assert Document.objects.get(external_id="x-1").translation_of is None
    assert News.objects.get(external_id="x-2").translation_of is None


def test_translation_chains_and_cycles_further_down_the_file_are_resolved(
    tmp_path: Path,
) -> None:
    path = write_lines(
        tmp_path / "items.jsonl",
        [
            item("ru", language="ru", translation_of="ky"),  # names a translation further down
            item("ky", language="ky", translation_of="mn"),
            item("mn", language="mn"),
            item("loop-a", translation_of="loop-b"),
            item("loop-b", translation_of="loop-a"),
        ],
    )

    run = run_import(path, "--no-progress")

    assert run.code == 0
    groups = dict(Document.objects.values_list("external_id", "translation_group"))
    assert groups["ru"] == groups["ky"] == groups["mn"]
    # A cycle is broken at the line met first; the other one links to it.
    assert "Line 5 (loop-b): translation_of “loop-a” names no item" in run.out
    assert Document.objects.get(external_id="loop-a").translation_of.external_id == "loop-b"
    assert "unchanged: 4" in run_import(path, "--no-progress").out


def test_dropping_translation_of_takes_the_item_out_of_the_group(tmp_path: Path) -> None:
    linked = write_lines(
        tmp_path / "a.jsonl", [item("en"), item("ru", language="ru", translation_of="en")]
    )
    run_import(linked, "--no-progress")

    run = run_import(
        write_lines(tmp_path / "b.jsonl", [item("en"), item("ru", language="ru")]),
        "--no-progress",
    )

    assert "updated: 1, unchanged: 1" in run.out
    russian = Document.objects.get(external_id="ru")
    assert russian.translation_of is None
    assert russian.translation_group != Document.objects.get(external_id="en").translation_group


def test_publishing_a_draft_by_import_is_an_update(tmp_path: Path) -> None:
    run_import(write_lines(tmp_path / "a.jsonl", [item("x-1")]), "--no-progress")

    run = run_import(
        write_lines(tmp_path / "b.jsonl", [item("x-1", published="2020-02-02")]), "--no-progress"
    )

    assert "updated: 1" in run.out
    document = Document.objects.get(external_id="x-1")
    assert document.status == Status.PUBLISHED
    assert document.year == 2020


def test_a_dry_run_after_an_import_reports_the_items_as_unchanged(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "items.jsonl", [item("x-1"), item("x-2")])
    run_import(path, "--no-progress")

    run = run_import(path, "--no-progress", "--dry-run")

    assert "Created: 0, updated: 0, unchanged: 2" in run.out


def test_each_type_takes_its_own_fields(tmp_path: Path) -> None:
    donor = make_organisation("swiss-cooperation", kind="donor")
    path = write_lines(
        tmp_path / "items.jsonl",
        [
            item(
                "doc",
                kind="guideline",
                authors=["B. Bat", "D. Dorj"],
                publication_date="05.2017",
            ),
            item(
                "act",
                type="legal_act",
                number="A/12",
                issuing_body="Government",
                adopted_on="2006",
                in_force_from="2006-08-01",
            ),
            item("news", type="news", kind="story"),
            item(
                "meeting",
                type="event",
                starts_at="2024-05-01T09:00+06:00",
                ends_at="2024-05-01T17:00+06:00",
                time_zone="Asia/Bishkek",
                place="Bishkek",
                online_url="https://meet.example.org/pem",
            ),
            item("fair", type="event", published="2021-06-10"),
            item(
                "project",
                type="project",
                starts_on="2019-01-01",
                ends_on="2022-12-31",
                donors=["swiss-cooperation", "unknown-donor"],
                budget=1250000.5,
                currency="chf",
            ),
        ],
    )

    run = run_import(path, "--no-progress")

    assert run.code == 0, run.out
    document = Document.objects.get(external_id="doc")
    assert (document.kind, document.author_list, document.publication_date) == (
        "guideline",
        ["B. Bat", "D. Dorj"],
        "2017-05",
    )
    assert document.year == 2017
    act = LegalAct.objects.get(external_id="act")
    assert (act.kind, act.number, act.issuing_body, act.adopted_on, act.in_force_from) == (
        "regulation",
        "A/12",
        "Government",
        "2006",
        datetime.date(2006, 8, 1),
    )
    assert News.objects.get(external_id="news").kind == "story"
    meeting = Event.objects.get(external_id="meeting")
    assert meeting.local_start.hour == 9
    assert meeting.time_zone == "Asia/Bishkek"
    assert meeting.online_url == "https://meet.example.org/pem"
    # Without starts_at the event spans its published day in Ulaanbaatar.
    fair = Event.objects.get(external_id="fair")
    ulaanbaatar = zoneinfo.ZoneInfo("Asia/Ulaanbaatar")
    assert fair.starts_at == datetime.datetime(2021, 6, 10, tzinfo=ulaanbaatar)
    assert fair.ends_at == datetime.datetime(2021, 6, 10, 23, 59, tzinfo=ulaanbaatar)
    assert fair.place == ""
    project = Project.objects.get(external_id="project")
    assert list(project.donors.all()) == [donor]
    assert (project.budget, project.currency) == (Decimal("1250000.50"), "CHF")
    assert "unknown organisations in “donors” were skipped: unknown-donor." in run.out
    assert "Line 5 (fair): the event has neither a place nor an online link." in run.out
    assert "unchanged: 6" in run_import(path, "--no-progress").out


# ---------------------------------------------------------------------------- files


def test_attached_files_are_stored_and_attached_once(tmp_path: Path) -> None:
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "guide.pdf").write_bytes(small_pdf("Use a retort."))
    (tmp_path / "files" / "notes.txt").write_text("Field notes, Zaamar.", encoding="utf-8")
    path = write_lines(
        tmp_path / "items.jsonl", [item("x-1", files=["files/guide.pdf", "files/notes.txt"])]
    )

    assert run_import(path, "--no-progress").code == 0
    document = Document.objects.get(external_id="x-1")
    attachments = list(attachments_of(document))
    assert [a.filename for a in attachments] == ["guide.pdf", "notes.txt"]
    assert [a.file.kind for a in attachments] == ["pdf", "txt"]

    again = run_import(path, "--no-progress")
    assert "unchanged: 1" in again.out
    assert attachments_of(document).count() == 2
    assert Document.objects.get(external_id="x-1").version == 1


def test_a_file_added_to_a_line_later_updates_its_item(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("Field notes.", encoding="utf-8")
    run_import(write_lines(tmp_path / "a.jsonl", [item("x-1")]), "--no-progress")

    run = run_import(
        write_lines(tmp_path / "b.jsonl", [item("x-1", files=["notes.txt"])]), "--no-progress"
    )

    assert "updated: 1" in run.out
    document = Document.objects.get(external_id="x-1")
    assert document.version == 2
    assert attachments_of(document).count() == 1


def test_file_paths_leading_outside_the_import_folder_are_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("not for import", encoding="utf-8")
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "link.txt").symlink_to(secret)
    path = write_lines(
        folder / "items.jsonl",
        [
            item("up", files=["../secret.txt"]),
            item("absolute", files=[str(secret)]),
            item("link", files=["link.txt"]),
            item("missing", files=["gone.pdf"]),
            item("fine"),
        ],
    )

    run = run_import(path, "--no-progress")

    assert run.code == 1
    assert "Line 1 (up): File path “../secret.txt” points outside the import folder" in run.out
    assert "Line 2 (absolute): File path" in run.out
    assert "must be relative to the import folder" in run.out
    assert "Line 3 (link): File path “link.txt” points outside the import folder" in run.out
    assert "Line 4 (missing): File “gone.pdf” does not exist." in run.out
    assert list(Document.objects.values_list("external_id", flat=True)) == ["fine"]
    assert not StoredFile.objects.exists()


def test_the_files_root_option_moves_where_paths_are_looked_up(tmp_path: Path) -> None:
    (tmp_path / "library").mkdir()
    (tmp_path / "library" / "notes.txt").write_text("Notes.", encoding="utf-8")
    (tmp_path / "lines").mkdir()
    path = write_lines(tmp_path / "lines" / "items.jsonl", [item("x-1", files=["notes.txt"])])

    run = run_import(path, "--no-progress", "--files-root", str(tmp_path / "library"))

    assert run.code == 0, run.out
    assert attachments_of(Document.objects.get(external_id="x-1")).count() == 1


def test_a_refused_file_rejects_its_line_and_keeps_nothing_of_it(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("Good notes.", encoding="utf-8")
    (tmp_path / "fake.pdf").write_text("This is not a PDF at all.", encoding="utf-8")
    path = write_lines(
        tmp_path / "items.jsonl",
        [item("x-1", files=["good.txt", "fake.pdf"], topics=["new-topic"]), item("x-2")],
    )

    run = run_import(path, "--no-progress", "--create-missing-topics")

    assert run.code == 1
    assert "Line 1 (x-1): The content of “fake.pdf” does not match its extension" in run.out
    assert list(Document.objects.values_list("external_id", flat=True)) == ["x-2"]
    assert not Topic.objects.filter(slug="new-topic").exists()
    assert not StoredFile.objects.exists()
    # The bytes of good.txt, stored before fake.pdf was refused, went with the line.
    assert not [path for path in (tmp_path / "media").rglob("*") if path.is_file()]


def test_a_refused_file_on_an_update_leaves_the_stored_item_as_it_was(tmp_path: Path) -> None:
    run_import(write_lines(tmp_path / "a.jsonl", [item("x-1")]), "--no-progress")
    (tmp_path / "fake.pdf").write_text("not a pdf", encoding="utf-8")

    run = run_import(
        write_lines(tmp_path / "b.jsonl", [item("x-1", title="New title", files=["fake.pdf"])]),
        "--no-progress",
    )

    assert run.code == 1
    document = Document.objects.get(external_id="x-1")
    assert (document.title, document.version) == ("Guide x-1", 1)
    assert Revision.objects.filter(object_id=document.pk).count() == 1


# ---------------------------------------------------------------------------- the console


def test_the_console_script_imports_and_exits_with_1_when_lines_were_rejected(
    tmp_path: Path,
) -> None:
    minehub = Path(sys.executable).parent / "minehub"
    env = {
        key: value
        for key, value in os.environ.items()
        if key != "DATABASE_URL" and not key.startswith("PYTEST")
    }
    env.update(
        MINEHUB_DEBUG="1", MINEHUB_VAR_DIR=str(tmp_path / "var"), MINEHUB_DEFAULT_LANGUAGE="en"
    )
    subprocess.run(  # noqa: S603 - our own console script with fixed arguments
        [str(minehub), "migrate", "-v0"], env=env, check=True, capture_output=True
    )

    with_a_bad_line = write_lines(
        tmp_path / "corpus.jsonl",
        [*CORPUS.read_text(encoding="utf-8").splitlines(), '{"external_id": "x-0", "type": "x"}'],
    )
    done = subprocess.run(  # noqa: S603 - as above
        [str(minehub), "import_documents", str(with_a_bad_line)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 1, done.stderr
    assert "Created: 80, updated: 0, unchanged: 0, rejected: 1" in done.stdout
    assert "CommandError: 1 line was rejected." in done.stderr
    assert "\r" not in done.stderr  # no progress bar when stderr is not a terminal

    clean = write_lines(tmp_path / "clean.jsonl", [item("x-1"), item("x-2")])
    done = subprocess.run(  # noqa: S603 - as above
        [str(minehub), "import_documents", str(clean), "--progress"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Created: 2, updated: 0, unchanged: 0, rejected: 0" in done.stdout
    assert "2/2  100%" in done.stderr


def test_the_help_describes_the_options_and_the_file_format() -> None:
    with translation.override("en"):
        text = Command().create_parser("minehub", "import_documents").format_help()

    for option in ("--organisation", "--files-root", "--dry-run", "--create-missing-topics"):
        assert option in text
    assert "translation_of (the external_id of the original" in text
    assert "issuing_body" in text


# ---------------------------------------------------------------------------- progress


def test_progress_shows_count_percentage_and_rate() -> None:
    assert format_progress(420, 1000, 2.0, "lines") == (
        "[##########--------------] 420/1,000   42%  210 lines/s"
    )
    assert format_progress(5, None, 1.0, "lines") == "5  5 lines/s"


def test_progress_stays_quiet_off_a_terminal_unless_forced() -> None:
    quiet = io.StringIO()
    with Progress(3, stream=quiet) as progress:
        progress.advance(3)
    assert quiet.getvalue() == ""

    forced = io.StringIO()
    with Progress(3, unit="lines", stream=forced, enabled=True) as progress:
        progress.advance(3)
    assert forced.getvalue().startswith("\r[")
    assert "3/3  100%" in forced.getvalue()
    assert forced.getvalue().endswith("\n")


def test_the_no_progress_option_silences_the_bar_even_when_forced_elsewhere(
    tmp_path: Path,
) -> None:
    path = write_lines(tmp_path / "items.jsonl", [item("x-1")])

    shown = run_import(path, "--progress")
    assert "1/1  100%" in shown.err

    with pytest.raises(CommandError):
        call_command("import_documents", str(path), "--progress", "--no-progress")
    assert "\r" not in run_import(path, "--no-progress").err
