"""Completeness and timeliness of registration, per jurisdiction."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from ventanilla.core.models import User
from ventanilla.registry import dashboards
from ventanilla.registry.forms import (
    DashboardForm,
)
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


@dataclass(frozen=True)
class CompletenessLine:
    """One jurisdiction's completeness, for the chart and the table alike."""

    row: dashboards.CompletenessRow
    y: float
    segments: list[BarSegment]

    @staticmethod
    def _percent(share: float | None) -> float | None:
        return None if share is None else round(100 * share, 1)

    @property
    def timely_percent(self) -> float | None:
        return self._percent(self.row.timely_completeness)

    @property
    def within_year_percent(self) -> float | None:
        return self._percent(self.row.within_year_completeness)

    @property
    def percent(self) -> float | None:
        return self._percent(self.row.completeness)


@dataclass(frozen=True)
class CompletenessChart:
    lines: list[CompletenessLine]
    totals: CompletenessLine | None
    #: Where 100 % of the expected births falls: the scale stretches past it when a
    #: jurisdiction registered more births than expected.
    target_x: float
    height: float


def _completeness_segments(row: dashboards.CompletenessRow, scale: float) -> list[BarSegment]:
    expected = row.expected
    if not expected:
        return []
    # The counts are cumulative; each segment draws the births its step adds.
    steps = (
        ("vt-bar-month", row.timely),
        ("vt-bar-year", max(row.within_year - row.timely, 0)),
        ("vt-bar-later", max(row.registered - max(row.within_year, row.timely), 0)),
    )
    segments: list[BarSegment] = []
    x = 0.0
    for css, count in steps:
        width = scale * count / expected
        segments.append(
            BarSegment(round(x, 2), round(width, 2), css, count, round(100 * count / expected, 1))
        )
        x += width
    return segments


def _completeness_chart(report: dashboards.CompletenessReport) -> CompletenessChart:
    top = max([1.0, *(row.completeness or 0.0 for row in report.rows)])
    scale = CHART_WIDTH / top
    lines = [
        CompletenessLine(row, index * ROW_HEIGHT, _completeness_segments(row, scale))
        for index, row in enumerate(report.rows)
    ]
    totals = None if report.totals is None else CompletenessLine(report.totals, 0.0, [])
    return CompletenessChart(
        lines=lines,
        totals=totals,
        target_x=round(scale, 2),
        height=max(ROW_HEIGHT, ROW_HEIGHT * len(report.rows)),
    )


_LEVELS: dict[str, dashboards.GroupLevel] = {level: level for level in dashboards.GROUP_LEVELS}


@official_page
@require_http_methods(["GET"])
def dashboard(request: HttpRequest, actor: User) -> HttpResponse:
    level = dashboards.default_level(actor)
    years = dashboards.estimate_years(actor=actor)
    this_year = timezone.localdate().year
    year = years[0] if years else this_year
    offered = sorted({*years, this_year}, reverse=True)
    asked = DashboardForm(request.GET or None, years=offered)
    if asked.is_bound:
        # Each choice stands on its own: a year no longer offered keeps the chosen grouping.
        asked.is_valid()
        level = _LEVELS.get(str(asked.cleaned_data.get("level") or ""), level)
        year = asked.cleaned_data.get("year") or year
    # The form shows what the page shows, whatever was asked for.
    form = DashboardForm(initial={"level": level, "year": year}, years=offered)
    report = dashboards.birth_registration_timeliness(actor=actor, level=level, year=year)
    completeness = dashboards.birth_registration_completeness(actor=actor, level=level, year=year)
    context = {
        "form": form,
        "report": report,
        "bars": _bars(report),
        "chart_width": CHART_WIDTH,
        "chart_height": max(ROW_HEIGHT, ROW_HEIGHT * len(report.rows)),
        "row_height": ROW_HEIGHT,
        "completeness": completeness,
        "completeness_chart": _completeness_chart(completeness),
    }
    return render(request, "office/dashboard.html", context)
