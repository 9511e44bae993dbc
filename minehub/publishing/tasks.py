from __future__ import annotations

from django_tasks import task

from minehub.publishing import newsletters


@task()
def send_mailing(mailing_id: int) -> int:
    return newsletters.send(mailing_id)
