"""Exchange fan-out: a post on a topic followed by 10,000 members. Publishing only queues
the fan-out (its cost in the request is measured too); the worker then tells every
follower in the hub. With the default choice (new posts by daily digest) the followers'
e-mails wait for the digest, whose rendering and hand-over to the mail backend (Django's
in-memory one) is measured last.

Runs in a fresh SQLite installation through the real database task queue and worker.
Figures are printed, never asserted."""

from __future__ import annotations

import io
import os
import statistics
import time

FOLLOWERS = int(os.environ.get("MINEHUB_BENCH_FOLLOWERS", "10000"))
ROUNDS = 3


def run() -> list[str]:
    from bench.environment import configure

    configure("minehub-bench-exchange-")
    from django.conf import settings
    from django.core.management import call_command

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("migrate", verbosity=0)
    from django.contrib.auth.hashers import make_password
    from django.contrib.contenttypes.models import ContentType
    from django.core import mail
    from django.db import transaction
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from minehub.accounts.models import User
    from minehub.core.models import Topic
    from minehub.exchange import digests, following
    from minehub.exchange.models import Follow, Notification, Post, State

    names = {f"name_{code}": "Bench topic" for code in ("en", "mn", "ky", "ru")}
    topic = Topic.objects.create(slug="bench-topic", **names)
    password = make_password(None)
    users = User.objects.bulk_create(
        [
            User(email=f"f{n}@bench.test", password=password, languages=[("mn", "ru", "ky", "en")[n % 4]])
            for n in range(FOLLOWERS)
        ]
    )  # fmt: skip
    topic_type = ContentType.objects.get_for_model(Topic)
    Follow.objects.bulk_create(
        [Follow(user=user, target_type=topic_type, target_id=topic.pk) for user in users],
        batch_size=2000,
    )
    author = User.objects.create_user(email="author@bench.test", name="Bench Author")
    queued, told, mailed = [], [], []
    for round_ in range(ROUNDS):
        post = Post.objects.create(
            author=author, kind="question", title=f"Bench question {round_}", body="Text.",
            language="en", state=State.VISIBLE, published_at=timezone.now(),
        )  # fmt: skip
        post.topics.add(topic)
        start = time.perf_counter()
        with transaction.atomic():
            following.announce_post(post)  # what the publishing request pays
        queued.append(time.perf_counter() - start)
        # The queue also holds other apps' jobs (search indexing): time the fan-out job
        # alone, from the worker's own record of it.
        call_command("worker", "--batch", "--no-startup-delay", verbosity=0, stdout=io.StringIO())
        job = DBTaskResult.objects.get(
            task_path="minehub.exchange.tasks.tell_about_post_task", args_kwargs__args=[post.pk]
        )
        assert job.status == "SUCCESSFUL", job.status
        told.append(FOLLOWERS / (job.finished_at - job.started_at).total_seconds())
        mail.outbox = []
        start = time.perf_counter()
        sent = digests.send_digests("daily")
        mailed.append(sent / (time.perf_counter() - start) if sent else 0.0)
        assert sent == FOLLOWERS, sent
    count = Notification.objects.count()
    return [
        "",
        f"Exchange fan-out: {FOLLOWERS:,} followers of a topic, {ROUNDS} posts, SQLite",
        f"  notifications written: {count:,}",
        f"  publishing request (queues the job): median {statistics.median(queued) * 1000:.1f} ms",
        f"  in-hub notifications by the worker: median {statistics.median(told):,.0f} followers/s",
        f"  daily digests rendered and handed over: median {statistics.median(mailed):,.0f}/s",
    ]


if __name__ == "__main__":
    for line in run():
        print(line)
