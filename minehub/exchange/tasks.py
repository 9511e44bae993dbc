from __future__ import annotations

from django_tasks import task

from minehub.exchange import notify


@task()
def send_notification_emails() -> int:
    return notify.send_pending()
