"""Completeness and timeliness of registration, per jurisdiction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from ventanilla.core.models import User
from ventanilla.registry import dashboards
from ventanilla.registry.forms import (
    DashboardForm,
)

if TYPE_CHECKING:
    pass
from ventanilla.registry.views._common import (
    official_page,
)

# --------------------------------------------------------------------------------------------
# Dashboard
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BarSegment:
    x: float
    width: float
    css: str
    count: int
    percent: float


@dataclass(frozen=True)
class Bar:
    row: dashboards.TimelinessRow
    y: float
    segments: list[BarSegment]


CHART_WIDTH = 640.0
ROW_HEIGHT = 48.0


def _bars(report: dashboards.TimelinessReport) -> list[Bar]:
    bars: list[Bar] = []
    for index, row in enumerate(report.rows):
        x = 0.0
        segments: list[BarSegment] = []
        for css, count in (
            ("vt-bar-month", row.within_month),
            ("vt-bar-year", row.within_year),
            ("vt-bar-later", row.later),
        ):
            width = CHART_WIDTH * row.share(count)
            segments.append(
                BarSegment(
                    round(x, 2), round(width, 2), css, count, round(100 * row.share(count), 1)
                )
            )
            x += width
        bars.append(Bar(row, index * ROW_HEIGHT, segments))
    return bars


_LEVELS: dict[str, dashboards.GroupLevel] = {level: level for level in dashboards.GROUP_LEVELS}


@official_page
@require_http_methods(["GET"])
def dashboard(request: HttpRequest, actor: User) -> HttpResponse:
    form = DashboardForm(request.GET or None)
    level = dashboards.default_level(actor)
    if form.is_valid():
        level = _LEVELS.get(str(form.cleaned_data.get("level") or ""), level)
    report = dashboards.birth_registration_timeliness(actor=actor, level=level)
    if not form.is_bound:
        form = DashboardForm(initial={"level": level})
    context = {
        "form": form,
        "report": report,
        "bars": _bars(report),
        "chart_width": CHART_WIDTH,
        "chart_height": max(ROW_HEIGHT, ROW_HEIGHT * len(report.rows)),
        "row_height": ROW_HEIGHT,
    }
    return render(request, "office/dashboard.html", context)
