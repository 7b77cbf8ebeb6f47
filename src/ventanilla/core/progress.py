"""How far a long job is: a bar on a terminal, a plain line now and then anywhere else.

A job run from a terminal draws a bar (tqdm). One whose output goes to a log, a container's
output or a file gets a line every `LINE_SECONDS` instead, since a bar's carriage returns
make one endless line there. A job that ends before the first line prints nothing.

Both speak the active language: the caller names its unit in it (``gettext("rows")``), and
the words of the line ("about … left") are translated here.
"""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import Any, Final, Protocol, Self, TextIO

from django.utils.translation import gettext as _
from tqdm import tqdm

#: Seconds between two progress lines when the output is not a terminal.
LINE_SECONDS: Final = 30.0


class Progress(Protocol):
    def update(self, n: float | None = 1) -> bool | None: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None: ...


class ProgressLines:
    """A line such as ``seed 7: 120,000 / 1,000,000 persons (12.0 %), 2,050/s, about
    7 min left`` every `every` seconds, and a last one at the end if any was printed."""

    def __init__(
        self,
        *,
        total: int | None,
        initial: int = 0,
        unit: str,
        desc: str,
        stream: TextIO,
        every: float = LINE_SECONDS,
    ) -> None:
        self.total, self.done, self.unit, self.desc = total, initial, unit, desc
        self.stream, self.every = stream, every
        self._started_at = self._printed_at = time.monotonic()
        self._initial = initial
        self._printed = False
        self._printed_done = initial

    def update(self, n: float | None = 1) -> bool | None:
        self.done += int(n or 0)
        now = time.monotonic()
        if now - self._printed_at >= self.every:
            self._print(now)
        return None

    def line(self, now: float) -> str:
        rate = (self.done - self._initial) / max(now - self._started_at, 1e-9)
        values = {
            "desc": self.desc,
            "done": f"{self.done:,}",
            "unit": self.unit,
            "rate": f"{rate:,.0f}",
        }
        if not self.total:
            return _("%(desc)s: %(done)s %(unit)s, %(rate)s/s") % values
        values["total"] = f"{self.total:,}"
        values["share"] = f"{min(100.0, self.done / self.total * 100):.1f}"
        text = _("%(desc)s: %(done)s / %(total)s %(unit)s (%(share)s %%), %(rate)s/s") % values
        if rate > 0 and self.done < self.total:
            left = _duration((self.total - self.done) / rate)
            text += _(", about %(left)s left") % {"left": left}
        return text

    def _print(self, now: float) -> None:
        self.stream.write(self.line(now) + "\n")
        self.stream.flush()
        self._printed_at = now
        self._printed = True
        self._printed_done = self.done

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        # The last line, unless the one just printed already says it.
        if self._printed and self.done != self._printed_done:
            self._print(time.monotonic())


def _duration(seconds: float) -> str:
    if seconds < 90:
        return _("%(seconds)s s") % {"seconds": f"{seconds:.0f}"}
    if seconds < 5400:
        return _("%(minutes)s min") % {"minutes": f"{seconds / 60:.0f}"}
    return _("%(hours)s h") % {"hours": f"{seconds / 3600:.1f}"}


def progress(
    *,
    total: int | None,
    unit: str,
    desc: str,
    initial: int = 0,
    show: bool | None = None,
    stream: TextIO | None = None,
) -> Progress:
    """A progress display for a job of `total` `unit` (a word in the active language): with
    ``show=None`` a bar on a terminal and lines elsewhere, with True always a bar, with False
    nothing."""
    out = stream if stream is not None else sys.stderr
    if show is None and not out.isatty():
        return ProgressLines(total=total, initial=initial, unit=unit, desc=desc, stream=out)
    bar: tqdm[Any] = tqdm(
        total=total,
        initial=initial,
        # The bar writes its rate as the scaled number, then the unit: "3.45k filas/s".
        unit=f" {unit}",
        unit_scale=True,
        desc=desc,
        file=out,
        disable=not show if show is not None else False,
    )
    return bar
