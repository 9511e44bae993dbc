"""Mentions: ``@name`` tells the member named, in any script, once."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from hypothesis import given
from hypothesis import strategies as st

from minehub.core.testing import make_organisation, make_user
from minehub.exchange import following, mentions
from minehub.exchange.models import Notification, ReplyKind
from minehub.exchange.tests.test_following import (
    Capture,
    make_post,
    make_reply,
    make_topic,
    publish_post,
    publish_reply,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Thanks @Saruul!", ["saruul"]),
        ("@БатбаярДорж, what do you think?", ["батбаярдорж"]),
        ("Ask @a.b-c.", ["a.b-c"]),
        ("write to ana@example.org", []),
        ("@@twice and @ alone", []),
        ("@Ana @ana @ANA", ["ana"]),
        ("(@Нурлан)", ["нурлан"]),
    ],
)
def test_handles_are_found_in_text(text: str, expected: list[str]) -> None:
    assert mentions.handles(text) == expected


def test_a_mass_mention_counts_only_the_first_names() -> None:
    text = " ".join(f"@user{n}" for n in range(100))
    assert len(mentions.handles(text)) == mentions.MAX_MENTIONS


@given(st.text())
def test_parsing_never_fails_and_gives_normalised_handles(text: str) -> None:
    for handle in mentions.handles(text):
        assert handle and handle == mentions.normalise(handle)
        assert not handle.endswith((".", "-"))


@given(st.text(alphabet=st.characters(categories=["L", "Nd"]), min_size=1, max_size=30))
def test_any_name_in_any_script_is_found_after_an_at_sign(name: str) -> None:
    assert mentions.handles(f"hello @{name} !") == [mentions.normalise(name)]


@pytest.mark.django_db
def test_names_match_without_spaces_and_ignoring_case_in_any_script() -> None:
    batbayar = make_user("b@example.org", name="Батбаяр Дорж")
    ana = make_user("ana.k@example.org")  # no name: known by her address's local part
    named = make_user("secret.address@example.org", name="Aida")
    make_user("other@example.org", name="Батбаяр Доржийн")
    assert mentions.mentioned_user_ids("@батбаярдорж and @ANA.K") == {batbayar.pk, ana.pk}
    # A member with a name is not named by their address.
    assert mentions.mentioned_user_ids("@secret.address") == set()
    assert mentions.mentioned_user_ids("@aida.") == {named.pk}


@pytest.mark.django_db
def test_a_mention_in_a_post_tells_the_member_named_once(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    author = make_user("author@example.org", name="Saruul")
    named = make_user("named@example.org", name="Nurlan Asanov", languages=["en"])
    topic = make_topic()
    following.follow(named, topic)  # also a follower: told once, as the one mentioned
    post = make_post(author, topics=(topic,), body="What does @NurlanAsanov think? @Saruul")
    publish_post(django_capture_on_commit_callbacks, post)
    told = Notification.objects.get()
    assert (told.recipient, told.kind) == (named, "exchange.mention")
    assert told.text == "Saruul mentioned you in “How do you settle tailings water?”"
    assert len(mail.outbox) == 1  # mentions are e-mailed at once by default
    assert mail.outbox[0].subject.endswith("Saruul mentioned you")


@pytest.mark.django_db
def test_a_mention_in_a_reply_tells_the_member_named(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    asker = make_user("asker@example.org")
    named = make_user("named@example.org", name="Aida")
    post = make_post(asker)
    publish_post(django_capture_on_commit_callbacks, post)
    reply = make_reply(make_user("x@example.org", name="X"), post, body="cc @aida")
    publish_reply(django_capture_on_commit_callbacks, reply)
    kinds = dict(Notification.objects.values_list("recipient_id", "kind"))
    assert kinds == {asker.pk: "exchange.reply", named.pk: "exchange.mention"}


@pytest.mark.django_db
def test_a_comment_on_other_content_tells_only_the_members_named(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    organisation = make_organisation()
    fan = make_user("fan@example.org")
    following.follow(fan, organisation)
    named = make_user("named@example.org", name="Aida")
    reply = make_reply(
        make_user("x@example.org", name="X"),
        None,
        kind=ReplyKind.COMMENT,
        body="@Aida see this",
        target_type=ContentType.objects.get_for_model(organisation),
        target_id=organisation.pk,
    )
    publish_reply(django_capture_on_commit_callbacks, reply)
    told = Notification.objects.get()
    assert told.recipient == named
    assert told.url.startswith(organisation.get_absolute_url())
    assert "Test Organisation" in told.text
