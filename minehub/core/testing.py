"""Shared test personas and the permission matrix helper.

Every role of DESIGN.md has a persona; ``check_permission_matrix`` requests one URL as each
persona and reports every status that differs from the expectation, so a view's access
rules are tested as a whole table rather than one role at a time.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Mapping
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client

from minehub.accounts.models import User
from minehub.accounts.roles import Role, grant_role
from minehub.directory.models import Organisation

PERSONAS = (
    "anonymous",
    "member",
    "editor",
    "moderator",
    "community_monitor",
    "inspector",
    "data_steward",
    "administrator",
    "suspended",
)
PASSWORD = "correct-horse-battery-staple-42"  # noqa: S105 - test personas only


def make_organisation(slug: str = "test-org", **values: Any) -> Organisation:
    defaults = {
        "name_en": "Test Organisation",
        "name_mn": "Туршилтын байгууллага",
        "name_ky": "Сыноо уюму",
        "name_ru": "Тестовая организация",
        "kind": "cso",
        "country": "MN",
    }
    return Organisation.objects.get_or_create(slug=slug, defaults={**defaults, **values})[0]


def make_user(email: str, **values: Any) -> User:
    user = User.objects.create_user(email=email, password=PASSWORD, **values)
    user.emailaddress_set.create(email=user.email, verified=True, primary=True)
    return user


def make_persona(name: str) -> User | None:
    """A user holding exactly the persona's role (``None`` for the anonymous visitor)."""
    if name == "anonymous":
        return None
    user = make_user(f"{name}@personas.test", name=name.replace("_", " ").title())
    if name == "suspended":
        user.is_active = False
        user.save(update_fields=["is_active"])
    elif name == "editor":
        grant_role(user, Role.EDITOR, make_organisation())
    elif name != "member":
        grant_role(user, Role(name))
    return user


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


class Personas:
    """All personas, created lazily and once per test."""

    def __init__(self) -> None:
        self._users: dict[str, User | None] = {}

    def __getitem__(self, name: str) -> User | None:
        if name not in self._users:
            self._users[name] = make_persona(name)
        return self._users[name]

    def client(self, name: str) -> Client:
        return client_for(self[name])


def check_permission_matrix(
    personas: Personas,
    url: str | Callable[[str], str],
    expected: Mapping[str, int],
    method: str = "get",
    data: Mapping[str, Any] | None = None,
) -> list[str]:
    """Requests ``url`` as every persona; returns the mismatches (empty when all agree).

    ``expected`` must name every persona, so adding a role forces every matrix to say
    what that role may do.
    """
    missing = set(PERSONAS) - set(expected)
    if missing:
        raise AssertionError(f"permission matrix lacks personas: {sorted(missing)}")
    problems = []
    for name in PERSONAS:
        target = url(name) if callable(url) else url
        client = personas.client(name)
        response = getattr(client, method)(target, data or {})
        if response.status_code != expected[name]:
            problems.append(
                f"{name}: {method.upper()} {target} gave {response.status_code}, "
                f"expected {expected[name]}"
            )
    return problems


class _ActiveContentFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "iframe", "object", "embed", "style", "svg", "math", "form"}:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag} {name}=")
            if name in {"href", "src", "action", "formaction", "xlink:href"} and value:
                scheme = value.strip().lower().replace("\x00", "")
                if scheme.startswith(("javascript:", "vbscript:", "data:text")):
                    self.found.append(f"{tag} {name}={value}")


def active_content(html: str) -> list[str]:
    """Elements, event handlers and URLs in ``html`` that could run script (empty when safe).

    Escaped text such as ``&lt;script&gt;`` is harmless and not reported."""
    finder = _ActiveContentFinder()
    finder.feed(html)
    return finder.found


__all__ = [
    "active_content",
    "PASSWORD",
    "PERSONAS",
    "Personas",
    "check_permission_matrix",
    "client_for",
    "make_organisation",
    "make_persona",
    "make_user",
]


CHROMIUM = "/usr/bin/chromium"
# The marks of a real-browser test: Playwright drives Debian's chromium (never a
# downloaded browser), and the test is skipped where that is not installed.
BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM) and shutil.which("chromium") is None,
        reason="Debian's chromium is not installed (apt-get install chromium)",
    ),
]


def browser_test(function: Callable[..., Any]) -> Callable[..., Any]:
    """:data:`BROWSER_MARKS` on one test (a module marks all its tests with ``pytestmark``)."""
    for mark in BROWSER_MARKS:
        function = mark(function)
    return function
