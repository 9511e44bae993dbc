"""Thread page of the exchange: a question with 100 answers, each with a comment (200
replies in all, Markdown, four languages, 20 authors); the median and p95 server time and
the SQL queries of its page, for an anonymous reader and for a signed-in member (who also
gets the vote, comment and answer forms). Budget (DESIGN.md): ≤ 50 ms, ≤ 15 queries.

Runs in a fresh installation (SQLite, then PostgreSQL when a server answers). Figures are
printed, never asserted."""

from __future__ import annotations

import io
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from bench.environment import configure, each_database

ANSWERS = 100  # each with one comment: 200 replies
AUTHORS = 20
RUNS = 30
LANGUAGES = ("mn", "ru", "ky", "en")
BODY = """Мы пробовали **реторту** на участке {n}: ртуть собирается почти полностью.

- стоимость: около 300 долларов
- нужна вытяжка и перчатки
- подробнее: [руководство](https://example.org/guide/{n})

> Работает при влажности ниже 60 %.
"""


def _populate() -> int:
    from django.contrib.auth.hashers import make_password

    from minehub.accounts.models import User
    from minehub.exchange.models import Post, Reply, Standing, State, Vote

    password = make_password(None)
    users = User.objects.bulk_create(
        [
            User(email=f"a{n}@bench.test", name=f"Author {n}", password=password)
            for n in range(AUTHORS)
        ]
    )
    Standing.objects.bulk_create([Standing(user=user, trust=1) for user in users])
    post = Post.objects.create(
        author=users[0], kind="question", title="Как убрать ртуть из промывки?",
        body=BODY.format(n=0), language="mn", state=State.VISIBLE,
    )  # fmt: skip
    answers = Reply.objects.bulk_create(
        [
            Reply(post=post, author=users[n % AUTHORS], kind="answer", body=BODY.format(n=n),
                  language=LANGUAGES[n % 4], state=State.VISIBLE, score=n % 7)
            for n in range(ANSWERS)
        ]
    )  # fmt: skip
    Reply.objects.bulk_create(
        [
            Reply(post=post, parent=answer, author=users[(n + 1) % AUTHORS], kind="comment",
                  body=f"Спасибо, попробуем на участке {n}.", language=LANGUAGES[(n + 1) % 4],
                  state=State.VISIBLE)
            for n, answer in enumerate(answers)
        ]
    )  # fmt: skip
    Vote.objects.bulk_create([Vote(user=users[1], reply=answer) for answer in answers[::3]])
    Post.objects.filter(pk=post.pk).update(reply_count=2 * ANSWERS, accepted_answer=answers[5])
    return post.pk


def _timed(get: Callable[[], Any]) -> tuple[float, float]:
    get()  # warm-up: templates compiled, caches filled
    wall = []
    for _ in range(RUNS):
        start = time.perf_counter()
        get()
        wall.append((time.perf_counter() - start) * 1000)
    return statistics.median(wall), statistics.quantiles(wall, n=20)[-1]


def measure(database_url: str | None) -> list[str]:
    configure("minehub-bench-exchange-", database_url=database_url)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from minehub.accounts.models import User

    # Migrations, taxonomy and the hashed static files the pages link to.
    call_command("setup", "--no-demo", stdout=io.StringIO())
    pk = _populate()
    path = f"/en/exchange/{pk}/"
    member = Client()
    member.force_login(User.objects.get(email="a7@bench.test"))
    lines = ["", f"Exchange thread page: {2 * ANSWERS} replies, {connection.vendor}"]
    for label, client in (("anonymous", Client()), ("member", member)):

        def get(client: Client = client) -> Any:
            response = client.get(path)
            assert response.status_code == 200, response.status_code
            assert b"reply-" in response.content, "the thread page did not render the replies"
            return response

        median, p95 = _timed(get)
        with CaptureQueriesContext(connection) as captured:
            size = len(get().content)
        lines.append(
            f"  {label:9}: median {median:5.1f} ms, p95 {p95:5.1f} ms, "
            f"{len(captured.captured_queries)} queries, {size / 1024:.0f} KB HTML"
        )
    return lines


def run() -> list[str]:
    """Measures SQLite, then PostgreSQL when it answers, each in a fresh process."""
    return each_database("bench.exchange_thread", "minehub_bench_exchange_thread")


if __name__ == "__main__":
    for line in measure(sys.argv[1] if len(sys.argv) > 1 else None):
        print(line)
