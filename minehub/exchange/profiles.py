"""What the exchange adds to a member's profile: their contributions, and the review of a
new member's profile text (a favourite place for spam links)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from minehub.exchange.models import Post, Reply, ReplyKind, Standing, State
from minehub.exchange.permissions import is_moderator
from minehub.exchange.policy import admit

SHOWN_CONTRIBUTIONS = 20


@dataclass(frozen=True)
class Contributions:
    posts: list[Post]
    answers: list[Reply]
    post_count: int
    answer_count: int


def contributions_of(person: Any) -> Contributions:
    """The member's visible posts and answers, the latest first (the public record)."""
    posts = Post.objects.visible().filter(author=person)
    answers = Reply.objects.visible().filter(
        author=person, kind=ReplyKind.ANSWER, post__state=State.VISIBLE
    )
    return Contributions(
        posts=list(
            posts.order_by("-created_at").only("id", "title", "kind", "language")[
                :SHOWN_CONTRIBUTIONS
            ]
        ),
        answers=list(
            answers.select_related("post")
            .only("id", "post_id", "post__title", "language", "created_at")
            .order_by("-created_at")[:SHOWN_CONTRIBUTIONS]
        ),
        post_count=posts.count(),
        answer_count=answers.count(),
    )


def profile_text_changed(person: Any) -> None:
    """Holds a changed profile text for review when the member's posts would be held (a
    trusted member's text shows at once)."""
    held = bool(person.bio.strip()) and admit(person, person.bio) != State.VISIBLE
    Standing.objects.update_or_create(
        user=person, defaults={"profile_held_since": timezone.now() if held else None}
    )


def profile_text_visible(person: Any, viewer: Any) -> bool:
    """A held profile text is shown to its owner and the moderators only."""
    if getattr(viewer, "pk", None) == person.pk or is_moderator(viewer):
        return True
    return not Standing.objects.filter(user=person, profile_held_since__isnull=False).exists()
