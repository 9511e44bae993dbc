"""Moderation: trust levels, reports, the queue, every action and its log, the views'
permission matrix."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from minehub.accounts.models import User
from minehub.core.testing import Personas, check_permission_matrix, client_for, make_user
from minehub.exchange import moderation, policy, posting
from minehub.exchange.models import (
    BlockedDomain,
    ModerationAction,
    Notification,
    Post,
    Reply,
    Report,
    Standing,
    State,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _registered() -> None:
    moderation.connect()


def _member(email: str, **standing: object) -> User:
    user = make_user(email, name=email.split("@")[0].title())
    if standing:
        Standing.objects.create(user=user, **standing)
    return user


def _post(author: User, body: str = "How do we test water for cyanide near the mine?") -> Post:
    return posting.create_post(
        author, kind="question", title=f"Question of {author.name}", body=body, language="en"
    )


def _suspended(email: str = "suspended-standing@example.org") -> User:
    return _member(
        email,
        suspended_until=timezone.now() + timedelta(days=3),
        suspension_reason="Spam links",
    )


def _personas_with_standing_suspension() -> Personas:
    # The shared "suspended" persona is a deactivated account (it cannot sign in at all);
    # here it is a member suspended through Standing, who still signs in.
    personas = Personas()
    personas._users["suspended"] = _suspended("suspended-persona@example.org")
    return personas


@pytest.fixture
def moderator(personas: Personas) -> User:
    return personas["moderator"]


# ----------------------------------------------------------------------- trust


def test_new_members_are_held_until_three_approvals_make_them_trusted(moderator: User) -> None:
    author = _member("new@example.org")
    for number in range(3):
        post = _post(author, body=f"Experience number {number} with gravity separation tables.")
        assert post.state == State.HELD
        assert moderation.approve(moderator, post)
    assert Standing.objects.get(user=author).trust == Standing.Trust.TRUSTED
    author = User.objects.get(pk=author.pk)  # the next request reads the standing afresh
    assert _post(author, body="Now trusted, this shows at once on the site.").state == State.VISIBLE
    assert Post.objects.filter(author=author, state=State.VISIBLE).count() == 4


def test_the_trust_threshold_is_a_setting(moderator: User, settings: object) -> None:
    settings.MINEHUB_TRUST_AFTER_APPROVED = 1
    author = _member("quick@example.org")
    moderation.approve(moderator, _post(author))
    assert Standing.objects.get(user=author).trust == Standing.Trust.TRUSTED


def test_moderators_and_administrators_post_directly(personas: Personas) -> None:
    assert _post(personas["moderator"]).state == State.VISIBLE
    assert _post(personas["administrator"], body="An administrator's note.").state == State.VISIBLE


def test_assess_explains_why_a_contribution_is_held() -> None:
    author = _member("why@example.org")
    state, reasons = policy.assess(author, "Hello")
    assert state == State.HELD
    assert reasons == [{"code": policy.NEW_MEMBER}]
    with translation.override("en"):
        assert policy.describe(reasons[0]) == "New member: first contributions are reviewed."
    with translation.override("ru"):
        assert "New member" not in policy.describe(reasons[0])


def test_approving_twice_counts_once(moderator: User) -> None:
    author = _member("twice@example.org")
    post = _post(author)
    assert moderation.approve(moderator, post)
    assert not moderation.approve(moderator, Post.objects.get(pk=post.pk))
    assert Standing.objects.get(user=author).approved == 1
    assert ModerationAction.objects.filter(action="approve").count() == 1


# ----------------------------------------------------------------------- actions


def test_reject_tells_the_author_with_the_message_and_logs_it(
    moderator: User, mailoutbox: list, django_capture_on_commit_callbacks: Any
) -> None:
    author = _member("rejected@example.org")
    author.languages = ["ru", "en"]
    author.save(update_fields=["languages"])
    post = _post(author)
    with django_capture_on_commit_callbacks(execute=True):
        assert moderation.reject(moderator, post, "Please write in full sentences.")
    post.refresh_from_db()
    assert post.state == State.REJECTED
    assert post.moderation_note == "Please write in full sentences."
    notification = Notification.objects.get(recipient=author, kind="exchange.moderated")
    with translation.override("en"):
        assert "Please write in full sentences." in notification.text
    # By e-mail too, in the author's language, with a link that stops these e-mails.
    [email] = mailoutbox
    assert email.to == ["rejected@example.org"]
    with translation.override("ru"):
        assert email.subject.endswith(gettext("A message from the moderators"))
    assert "Please write in full sentences." in email.body
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    entry = ModerationAction.objects.get(action="reject")
    assert (entry.moderator, entry.target, entry.reason) == (
        moderator,
        post,
        "Please write in full sentences.",
    )


def test_hiding_a_visible_reply_takes_it_out_of_the_thread_count(moderator: User) -> None:
    trusted = _member("trusted@example.org", trust=Standing.Trust.TRUSTED)
    post = _post(trusted)
    reply = posting.add_reply(
        trusted, post=post, kind="answer", body="Use a field kit.", language="en"
    )
    assert Post.objects.get(pk=post.pk).reply_count == 1
    assert moderation.hide(moderator, reply, "Unsafe advice.")
    assert Reply.objects.get(pk=reply.pk).state == State.HIDDEN
    assert Post.objects.get(pk=post.pk).reply_count == 0
    assert Notification.objects.filter(recipient=trusted, kind="exchange.moderated").exists()


def test_moderator_edit_keeps_history_and_is_logged(moderator: User) -> None:
    author = _member("edited@example.org")
    post = _post(author)
    moderation.edit(moderator, post, body="Cleaned text", version=post.version, reason="links")
    post.refresh_from_db()
    assert post.body == "Cleaned text"
    assert post.edits.count() == 1
    assert ModerationAction.objects.filter(action="edit", reason="links").exists()


def test_locking_a_thread_stops_replies_and_unlocking_allows_them(moderator: User) -> None:
    trusted = _member("locked@example.org", trust=Standing.Trust.TRUSTED)
    post = _post(trusted)
    client = client_for(moderator)
    client.post(reverse("exchange:moderation-lock", args=[post.pk]), {"locked": "on"})
    post.refresh_from_db()
    assert post.locked
    with pytest.raises(PermissionDenied):
        posting.add_reply(trusted, post=post, kind="comment", body="late", language="en")
    client.post(reverse("exchange:moderation-lock", args=[post.pk]), {})
    post.refresh_from_db()
    assert not post.locked
    assert [entry.action for entry in ModerationAction.objects.order_by("id")] == [
        "lock",
        "unlock",
    ]


def test_suspend_for_a_duration_then_unsuspend_through_the_member_page(moderator: User) -> None:
    member = _member("suspend-me@example.org")
    url = reverse("exchange:moderation-member", args=[member.pk])
    client = client_for(moderator)
    # A suspension needs a reason and a duration.
    assert client.post(url, {"action": "suspend"}).status_code == 200
    client.post(url, {"action": "suspend", "days": 7, "reason": "Spam wave"})
    standing = Standing.objects.get(user=member)
    assert standing.is_suspended()
    assert standing.is_suspended(timezone.now() + timedelta(days=6, hours=23))
    assert not standing.is_suspended(timezone.now() + timedelta(days=7, minutes=1))
    assert standing.suspension_reason == "Spam wave"
    client.post(url, {"action": "unsuspend"})
    assert not Standing.objects.get(user=member).is_suspended()


def test_moderators_cannot_suspend_each_other(moderator: User, personas: Personas) -> None:
    other = make_user("other-mod@example.org")
    from minehub.accounts.roles import Role, grant_role

    grant_role(other, Role.MODERATOR)
    with pytest.raises(PermissionDenied):
        moderation.suspend(moderator, other, timedelta(days=1), "no")


def test_delete_spammer_removes_everything_in_one_logged_action(moderator: User) -> None:
    spammer = _member("spammer@example.org", trust=Standing.Trust.TRUSTED)
    honest = _member("honest@example.org", trust=Standing.Trust.TRUSTED)
    thread = _post(honest)
    spam_posts = [_post(spammer, body=f"Buy cheap gold number {n} now") for n in range(3)]
    spam_reply = posting.add_reply(
        spammer, post=thread, kind="answer", body="Visit my shop", language="en"
    )
    moderation.report(honest, spam_reply, Report.Reason.SPAM, "shop link")
    moderation.report(honest, spammer, Report.Reason.SPAM)
    assert Post.objects.get(pk=thread.pk).reply_count == 1

    client = client_for(moderator)
    client.post(
        reverse("exchange:moderation-member", args=[spammer.pk]),
        {"action": "delete_spammer", "reason": "Gold spam"},
    )
    spammer.refresh_from_db()
    assert not spammer.is_active
    assert {post.state for post in Post.objects.filter(pk__in=[p.pk for p in spam_posts])} == {
        State.DELETED
    }
    assert Reply.objects.get(pk=spam_reply.pk).state == State.DELETED
    assert Post.objects.get(pk=thread.pk).reply_count == 0
    assert not Report.objects.filter(resolved_at__isnull=True).exists()
    assert list(ModerationAction.objects.values_list("action", "reason")) == [
        ("delete_spammer", "Gold spam")
    ]
    assert Post.objects.get(pk=thread.pk).state == State.VISIBLE


# ----------------------------------------------------------------------- reports


def test_one_open_report_per_reporter_and_target() -> None:
    author = _member("reported@example.org", trust=Standing.Trust.TRUSTED)
    reporter = _member("reporter@example.org")
    post = _post(author)
    client = client_for(reporter)
    url = reverse("exchange:report", args=["post", post.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": "spam", "detail": "advert"})
    assert response.status_code == 302
    client.post(url, {"reason": "abuse", "detail": "insults"})
    report = Report.objects.get()
    assert (report.reason, report.detail) == ("abuse", "insults")


def test_members_cannot_report_themselves_or_what_they_cannot_see() -> None:
    author = _member("self@example.org")
    held = _post(author)
    assert (
        client_for(author).get(reverse("exchange:report", args=["post", held.pk])).status_code
        == 403
    )
    other = _member("curious@example.org")
    assert (
        client_for(other).get(reverse("exchange:report", args=["post", held.pk])).status_code == 404
    )


def test_reported_items_and_held_profiles_show_in_the_queue_oldest_first(
    moderator: User,
) -> None:
    trusted = _member("visible@example.org", trust=Standing.Trust.TRUSTED)
    newcomer = _member("newcomer@example.org")
    newcomer.bio = "Cheap gold at https://spam.example/"
    newcomer.save()
    Standing.objects.update_or_create(
        user=newcomer, defaults={"profile_held_since": timezone.now() - timedelta(hours=5)}
    )
    held = _post(newcomer)
    Post.objects.filter(pk=held.pk).update(created_at=timezone.now() - timedelta(hours=3))
    reported = _post(trusted)
    moderation.report(_member("r@example.org"), reported, Report.Reason.WRONG, "bad numbers")
    BlockedDomain.objects.create(domain="spam.example")

    waiting = moderation.queue()
    assert [entry.key for entry in waiting.entries] == [
        f"user:{newcomer.pk}",
        f"post:{held.pk}",
        f"post:{reported.pk}",
    ]
    assert waiting.oldest_wait >= timedelta(hours=5)
    assert timedelta(hours=3) <= waiting.median_wait < timedelta(hours=3, minutes=1)

    with translation.override("en"):
        page = client_for(moderator).get(reverse("exchange:moderation-queue")).content.decode()
    assert "bad numbers" in page
    assert "blocked domains: spam.example" in page
    # Why the held post was held, as the rules saw it when it was written.
    assert "Held for review: New member: first contributions are reviewed." in page
    assert "The oldest has waited 5" in page


def test_bulk_action_applies_to_the_whole_selection(moderator: User) -> None:
    authors = [_member(f"bulk{n}@example.org") for n in range(3)]
    posts = [_post(author) for author in authors]
    client = client_for(moderator)
    url = reverse("exchange:moderation-act")
    # Rejecting without a message to the authors is refused.
    response = client.post(url, {"items": [f"post:{posts[0].pk}"], "action": "reject"})
    assert response.status_code == 400
    response = client.post(
        url,
        {"items": [f"post:{post.pk}" for post in posts[:2]], "action": "approve"},
    )
    assert response.status_code == 302
    states = {post.pk: Post.objects.get(pk=post.pk).state for post in posts}
    assert states == {
        posts[0].pk: State.VISIBLE,
        posts[1].pk: State.VISIBLE,
        posts[2].pk: State.HELD,
    }
    client.post(url, {"items": [f"post:{posts[2].pk}"], "action": "reject", "reason": "Off-topic"})
    assert Post.objects.get(pk=posts[2].pk).state == State.REJECTED


def test_approving_a_held_profile_text_releases_it(moderator: User) -> None:
    newcomer = _member("bio@example.org")
    Standing.objects.update_or_create(
        user=newcomer, defaults={"profile_held_since": timezone.now()}
    )
    assert moderation.approve(moderator, newcomer)
    assert Standing.objects.get(user=newcomer).profile_held_since is None
    assert moderation.queue().entries == []


def test_blocked_domains_are_managed_by_moderators(moderator: User) -> None:
    client = client_for(moderator)
    url = reverse("exchange:moderation-domains")
    client.post(url, {"domain": "https://www.Spam.Example/path"})
    blocked = BlockedDomain.objects.get()
    assert blocked.domain == "spam.example"
    assert client.post(url, {"domain": "not a domain"}).status_code == 200
    assert BlockedDomain.objects.count() == 1
    client.post(reverse("exchange:moderation-domain-delete", args=[blocked.pk]))
    assert not BlockedDomain.objects.exists()
    assert list(ModerationAction.objects.values_list("action", flat=True).order_by("id")) == [
        "block_domain",
        "unblock_domain",
    ]


def test_the_log_lists_actions_for_moderators(moderator: User) -> None:
    post = _post(_member("logged@example.org"))
    moderation.reject(moderator, post, "Duplicate of another question")
    page = client_for(moderator).get(reverse("exchange:moderation-log")).content.decode()
    assert "Duplicate of another question" in page


def test_the_report_link_shows_to_other_members_only() -> None:
    from django.template.loader import render_to_string

    author = _member("linked@example.org", trust=Standing.Trust.TRUSTED)
    post = _post(author)
    other = _member("reader@example.org")
    from django.contrib.auth.models import AnonymousUser

    report_url = reverse("exchange:report", args=["post", post.pk])
    template = "exchange/moderation/report_link.html"
    assert report_url in render_to_string(template, {"item": post, "user": other})
    assert report_url not in render_to_string(template, {"item": post, "user": author})
    assert report_url not in render_to_string(template, {"item": post, "user": AnonymousUser()})
    profile_url = reverse("exchange:report", args=["user", author.pk])
    assert profile_url in render_to_string(template, {"item": author, "user": other})


# ----------------------------------------------------------------------- permission matrix

MODERATORS_ONLY = {
    "anonymous": 302,
    "member": 403,
    "editor": 403,
    "moderator": 200,
    "community_monitor": 403,
    "inspector": 403,
    "data_steward": 403,
    "administrator": 200,
    "suspended": 403,
}


@pytest.mark.parametrize("name", ["moderation-queue", "moderation-log", "moderation-domains"])
def test_moderation_pages_are_for_moderators_only(name: str) -> None:
    personas = _personas_with_standing_suspension()
    assert check_permission_matrix(personas, reverse(f"exchange:{name}"), MODERATORS_ONLY) == []


def test_member_and_edit_pages_are_for_moderators_only() -> None:
    personas = _personas_with_standing_suspension()
    target = _member("target@example.org")
    post = _post(target)
    for url in (
        reverse("exchange:moderation-member", args=[target.pk]),
        reverse("exchange:moderation-edit", args=["post", post.pk]),
    ):
        assert check_permission_matrix(personas, url, MODERATORS_ONLY) == []


def test_bulk_actions_are_for_moderators_only() -> None:
    personas = _personas_with_standing_suspension()
    post = _post(_member("bulk-target@example.org"))
    expected = {**MODERATORS_ONLY, "moderator": 302, "administrator": 302}
    problems = check_permission_matrix(
        personas,
        reverse("exchange:moderation-act"),
        expected,
        method="post",
        data={"items": [f"post:{post.pk}"], "action": "dismiss"},
    )
    assert problems == []
    assert Post.objects.get(pk=post.pk).state == State.HELD


def test_reporting_is_for_members_not_suspended() -> None:
    personas = _personas_with_standing_suspension()
    post = _post(_member("reportable@example.org", trust=Standing.Trust.TRUSTED))
    expected = dict.fromkeys(MODERATORS_ONLY, 200) | {"anonymous": 302, "suspended": 403}
    url = reverse("exchange:report", args=["post", post.pk])
    assert check_permission_matrix(personas, url, expected) == []


def test_thread_tools_offer_lock_to_moderators_only(moderator: User) -> None:
    from django.template.loader import render_to_string

    post = _post(_member("tools@example.org"))
    lock_url = reverse("exchange:moderation-lock", args=[post.pk])
    template = "exchange/moderation/thread_tools.html"
    assert lock_url in render_to_string(template, {"post": post, "can_moderate": True})
    assert lock_url not in render_to_string(template, {"post": post, "can_moderate": False})


def test_reporting_a_profile_puts_it_in_the_queue(moderator: User) -> None:
    person = _member("profile-spam@example.org")
    reporter = _member("profile-reporter@example.org")
    response = client_for(reporter).post(
        reverse("exchange:report", args=["user", person.pk]), {"reason": "spam", "detail": "bio"}
    )
    assert response.status_code == 302
    entries = moderation.queue().entries
    assert [(entry.key, entry.kind) for entry in entries] == [(f"user:{person.pk}", "profile")]
    moderation.hide(moderator, person, "Links in the profile")
    person.refresh_from_db()
    assert person.bio == ""
    assert moderation.queue().entries == []


def test_bulk_delete_spammer_skips_moderators_content(moderator: User, personas: Personas) -> None:
    own = _post(moderator)
    spammer = _member("bulk-spammer@example.org")
    spam = _post(spammer, body="Gold gold gold at low prices every day")
    moderation.report(_member("rep@example.org"), own, Report.Reason.OTHER)
    done = moderation.apply(moderator, "delete_spammer", [own, spam], "wave")
    assert done == 1
    assert User.objects.get(pk=moderator.pk).is_active
    assert not User.objects.get(pk=spammer.pk).is_active
