"""Alert fan-out: one import raises exceedances at a site followed (through its region)
by 10,000 members; how fast are they told in the hub, and how fast are the e-mails
rendered and handed to the mail backend (Django's in-memory backend: the mail server's
own speed is not ours to measure).

Runs in a fresh SQLite installation. Figures are printed, never asserted."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Iterator
from datetime import timedelta

FOLLOWERS = int(os.environ.get("MINEHUB_BENCH_FOLLOWERS", "10000"))
ROUNDS = 3


def run() -> Iterator[str]:
    from bench.environment import configure

    configure("minehub-bench-alerts-")
    from django.conf import settings
    from django.core.management import call_command

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("migrate", verbosity=0)
    from django.contrib.auth.hashers import make_password
    from django.core import mail
    from django.utils import timezone

    from minehub.accounts.models import User
    from minehub.core.models import Region
    from minehub.exchange import notify
    from minehub.exchange.models import Notification
    from minehub.monitoring import alerts, ingest
    from minehub.monitoring.models import AlertSubscription, Site, Station

    region = Region.objects.get(code="MN-047")
    site = Site.objects.create(code="B-1", name="Bench mine", kind="active_mine", country="MN",
                               region=region)  # fmt: skip
    Station.objects.create(site=site, code="B-1-DW", name="Well", medium="drinking_water")
    password = make_password(None)
    users = User.objects.bulk_create(
        [User(email=f"f{n}@bench.test", password=password) for n in range(FOLLOWERS)]
    )
    AlertSubscription.objects.bulk_create(
        [
            AlertSubscription(user=user, region=region, language=("mn", "ru", "ky", "en")[n % 4])
            for n, user in enumerate(users)
        ]
    )
    told, mailed = [], []
    for round_ in range(ROUNDS):
        day = (timezone.now() - timedelta(days=1 + round_)).date().isoformat()
        data = (
            "site_code,station_code,sample_id,sampled_at,medium,parameter,value,unit\n"
            f"B-1,B-1-DW,S{round_},{day},water,As,0.05,mg/L\n"
        ).encode()
        batch = ingest.receive(data, "bench.csv")
        ingest.check(batch)
        # Queues the announcement for the worker (the database queue: nothing runs here).
        ingest.commit(batch)
        mail.outbox = []
        start = time.perf_counter()
        announced = alerts.announce()
        middle = time.perf_counter()
        sent = notify.send_pending()
        end = time.perf_counter()
        told.append(FOLLOWERS / (middle - start))
        mailed.append(sent / (end - middle) if sent else 0.0)
        assert announced == 1, announced
    count = Notification.objects.count()
    yield ""
    yield f"Alert fan-out: {FOLLOWERS:,} followers of a region, {ROUNDS} imports, SQLite"
    yield f"  notifications written: {count:,}"
    yield f"  in-hub notifications: median {statistics.median(told):,.0f} followers/s"
    yield f"  e-mails rendered and handed over: median {statistics.median(mailed):,.0f}/s"


if __name__ == "__main__":
    for line in run():
        print(line)
