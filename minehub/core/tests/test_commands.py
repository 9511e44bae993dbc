import io

import pytest
from django.core.management import call_command

from minehub.accounts.models import User
from minehub.accounts.roles import Role, roles_of
from minehub.directory.models import Organisation

pytestmark = pytest.mark.django_db


def test_demo_content_loads_once_and_prints_the_admin_password_once() -> None:
    first = io.StringIO()
    call_command("load_demo", stdout=first)
    assert "password:" in first.getvalue()
    counts = (Organisation.objects.count(), User.objects.count())
    assert counts[0] >= 12
    second = io.StringIO()
    call_command("load_demo", stdout=second)
    assert "password:" not in second.getvalue()
    assert (Organisation.objects.count(), User.objects.count()) == counts


def test_demo_content_is_labelled_as_demo_and_covers_every_role() -> None:
    call_command("load_demo", stdout=io.StringIO())
    assert not Organisation.objects.filter(is_demo=False).exists()
    assert not User.objects.filter(is_demo=False).exists()
    held = set().union(*(roles_of(user) for user in User.objects.all()))
    assert held == set(Role)
    for organisation in Organisation.objects.all():
        for code in ("en", "mn", "ky", "ru"):
            assert getattr(organisation, f"name_{code}"), (organisation.slug, code)


def test_demo_admin_can_log_in_with_the_printed_password(client: object) -> None:
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    password = out.getvalue().split("password: ")[1].split()[0]
    response = client.post(
        "/en/accounts/login/", {"login": "admin@demo.minehub.org", "password": password}
    )
    assert response.status_code == 302
    assert client.get("/en/admin/").status_code == 200


def test_models_and_migrations_agree() -> None:
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_demo_monitoring_results_are_recent_and_load_once() -> None:
    from datetime import timedelta

    from django.db.models import Max
    from django.utils import timezone

    from minehub.monitoring.models import Exceedance, Measurement

    call_command("load_demo", stdout=io.StringIO())
    count = Measurement.objects.count()
    latest = Measurement.objects.aggregate(latest=Max("sampled_at"))["latest"]
    assert count > 0 and timezone.now() - timedelta(days=366) < latest <= timezone.now()
    for exceedance in Exceedance.objects.select_related("measurement"):
        assert exceedance.sampled_at == exceedance.measurement.sampled_at
    call_command("load_demo", stdout=io.StringIO())
    assert Measurement.objects.count() == count


def test_demo_events_move_on_by_whole_weeks_so_some_are_always_to_come() -> None:
    import datetime

    from django.utils import timezone

    from minehub.core import demo
    from minehub.publishing.models import Event

    assert demo._weeks_since_written(demo.DEMO_CALENDAR_WRITTEN - datetime.timedelta(days=3)) == 0
    assert demo._weeks_since_written(demo.DEMO_CALENDAR_WRITTEN + datetime.timedelta(days=20)) == 2
    line = {"starts_at": "2026-12-03T15:00:00+08:00", "ends_at": "2026-12-03T16:30:00+08:00"}
    demo._move_event_on(line, 2)
    assert line == {
        "starts_at": "2026-12-17T15:00:00+08:00",
        "ends_at": "2026-12-17T16:30:00+08:00",
    }

    call_command("load_demo", stdout=io.StringIO())
    events = Event.objects.filter(is_demo=True)
    assert events.filter(ends_at__gte=timezone.now()).exists()
    assert events.filter(ends_at__lt=timezone.now()).exists()


def test_demo_exchange_threads_load_once_with_answers_in_other_languages() -> None:
    from minehub.exchange.models import Post

    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "3 exchange thread(s) added" in out.getvalue()
    question = Post.objects.get(external_id="demo-post-mercury-free-question-mn")
    assert question.language == "mn" and question.accepted_answer.language == "ru"
    assert question.replies.count() == question.reply_count == 2
    call_command("load_demo", stdout=io.StringIO())
    assert Post.objects.count() == 3
