"""Kinds of notification and how each is put into words.

An app registers a kind once (in its ``AppConfig.ready``) with a function that writes the
sentence for a notification in the active language; the bell, the inbox and the e-mails
all call :func:`describe`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.utils.translation import gettext

if TYPE_CHECKING:
    from minehub.exchange.models import Notification

Describer = Callable[["Notification"], str]

_KINDS: dict[str, Describer] = {}
_SUBJECTS: dict[str, Describer] = {}


def register(kind: str, describer: Describer, subject: Describer) -> None:
    """``describer`` writes the full sentence(s); ``subject`` a short e-mail subject."""
    _KINDS[kind] = describer
    _SUBJECTS[kind] = subject


def describe(notification: Notification) -> str:
    describer = _KINDS.get(notification.kind)
    if describer is None:
        # A kind whose app was removed: still say something rather than fail the inbox.
        return gettext("Something changed that you follow.")
    return describer(notification)


def subject_of(notification: Notification) -> str:
    subject = _SUBJECTS.get(notification.kind)
    return gettext("News from the hub") if subject is None else subject(notification)
