"""Demo content: realistic organisations and one person per role, all flagged ``is_demo``.

Loaded by ``minehub setup`` (so by ``make run``); never needed by the product itself.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from minehub.accounts.models import Membership, User
from minehub.accounts.roles import Role, grant_role
from minehub.core.models import Region
from minehub.directory.models import Organisation

DEMO_DIR = Path(__file__).resolve().parent / "demo_data"


@dataclass
class DemoReport:
    organisations_created: int = 0
    people_created: int = 0
    admin_email: str = ""
    admin_password: str = ""


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


@transaction.atomic
def load_demo() -> DemoReport:
    """Creates what is missing of the demo content; running it again changes nothing."""
    report = DemoReport()
    organisations = _load_organisations(report)
    _load_people(report, organisations)
    _ensure_admin(report)
    return report
