"""Serves the hub: gunicorn for the web and the background worker, side by side."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Start the web server and the background worker; stop both with Ctrl-C."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--web-workers", type=int, default=int(os.environ.get("MINEHUB_WEB_WORKERS", "2"))
        )
        parser.add_argument("--no-worker", action="store_true", help="Do not start the worker.")

    def handle(self, *args: Any, **options: Any) -> None:
        bin_dir = os.path.dirname(sys.executable)
        web = [
            os.path.join(bin_dir, "gunicorn"),
            "minehub.wsgi",
            f"--bind={options['host']}:{options['port']}",
            f"--workers={options['web_workers']}",
            "--access-logfile=-",
            "--forwarded-allow-ips=127.0.0.1",
        ]
        processes = [subprocess.Popen(web)]  # noqa: S603 - fixed argument list
        if not options["no_worker"]:
            worker = [os.path.join(bin_dir, "minehub"), "worker"]
            processes.append(subprocess.Popen(worker))  # noqa: S603 - fixed argument list
        url = f"http://{options['host']}:{options['port']}/"
        self.stdout.write(self.style.SUCCESS(f"\nMineHub is running at {url}"))
        self.stdout.write(
            f"Log in as {settings.MINEHUB_DEMO_ADMIN_EMAIL} with the password printed when the demo "
            f"was first loaded, or set one: .venv/bin/minehub changepassword "
            f"{settings.MINEHUB_DEMO_ADMIN_EMAIL}\nPress Ctrl-C to stop.\n"
        )
        stopping = False

        def stop(signum: int, frame: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        # Whichever process ends first (or a signal) ends the whole service.
        while not stopping and all(process.poll() is None for process in processes):
            time.sleep(0.5)
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
