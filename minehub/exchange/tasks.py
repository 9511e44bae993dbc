from __future__ import annotations

from django_tasks import task

from minehub.exchange import digests, following, notify
from minehub.exchange.models import Frequency


@task()
def send_notification_emails() -> int:
    return notify.send_pending()


# Queued once a day and once a week by the operator's scheduler (cron or a systemd timer
# running ``minehub send_digests --daily`` / ``--weekly``, see docs/deploy.md).
@task()
def send_daily_digests() -> int:
    return digests.send_digests(Frequency.DAILY)


@task()
def send_weekly_digests() -> int:
    return digests.send_digests(Frequency.WEEKLY)


# Queued by following.announce_post / announce_reply inside the publishing transaction.
@task()
def tell_about_post_task(post_id: int) -> int:
    return following.tell_about_post(post_id)


@task()
def tell_about_reply_task(reply_id: int) -> int:
    return following.tell_about_reply(reply_id)
