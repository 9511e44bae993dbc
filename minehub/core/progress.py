"""A small progress bar for long management commands, written to standard error.

It shows ``done/total``, the percentage and the rate, redrawn in place at most a few times
a second. It stays silent when standard error is not a terminal (cron jobs, pipes, CI
logs would fill with carriage returns) unless the caller forces it, and always when the
caller disables it. No third-party dependency: it is a dozen lines of arithmetic.
"""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import TextIO

BAR_WIDTH = 24
REDRAW_SECONDS = 0.2


def format_progress(done: int, total: int | None, elapsed: float, unit: str) -> str:
    """The text of one progress line, e.g. ``[######----] 420/1000  42%  350 lines/s``.

    Pure, so the layout is tested without a terminal. ``total`` may be unknown (``None``),
    in which case only the count and the rate are shown.
    """
    rate = done / elapsed if elapsed > 0 else 0.0
    rate_text = f"{rate:,.0f} {unit}/s" if unit else f"{rate:,.0f}/s"
    if not total:
        return f"{done:,}  {rate_text}"
    fraction = min(max(done / total, 0.0), 1.0)
    filled = round(fraction * BAR_WIDTH)
    bar = "#" * filled + "-" * (BAR_WIDTH - filled)
    return f"[{bar}] {done:,}/{total:,}  {fraction * 100:3.0f}%  {rate_text}"


class Progress:
    """Counts work done and redraws one line on ``stream``.

    ``enabled`` is ``None`` for "only on a terminal", ``True`` to force it (e.g. a
    ``--progress`` option) and ``False`` to silence it (``--no-progress``). ``unit`` is
    shown after the rate; callers pass it already translated.
    """

    def __init__(
        self,
        total: int | None,
        *,
        unit: str = "",
        stream: TextIO | None = None,
        enabled: bool | None = None,
    ) -> None:
        self.total = total
        self.unit = unit
        self.stream = stream if stream is not None else sys.stderr
        if enabled is None:
            isatty = getattr(self.stream, "isatty", None)
            enabled = bool(isatty and isatty())
        self.enabled = enabled
        self.done = 0
        self._started = time.monotonic()
        self._last_drawn = 0.0
        self._width = 0

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def advance(self, steps: int = 1) -> None:
        """Counts ``steps`` more units done and redraws when enough time has passed."""
        self.done += steps
        if not self.enabled:
            return
        now = time.monotonic()
        # Redrawing on every step would cost more than the work on fast loops.
        if now - self._last_drawn >= REDRAW_SECONDS or self.done == self.total:
            self._draw(now)

    def close(self) -> None:
        """Draws the final state and ends the line, so later output starts on a fresh one."""
        if not self.enabled or (self._width == 0 and self.done == 0):
            return  # nothing was ever drawn: leave no empty line behind
        self._draw(time.monotonic())
        self.stream.write("\n")
        self.stream.flush()
        self.enabled = False

    def _draw(self, now: float) -> None:
        text = format_progress(self.done, self.total, now - self._started, self.unit)
        # Pad with spaces so a shorter line fully covers the previous one.
        self.stream.write("\r" + text.ljust(self._width))
        self.stream.flush()
        self._width = len(text)
        self._last_drawn = now
