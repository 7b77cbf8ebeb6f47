"""Completeness of birth registration: the estimates import, the report and its page."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum
from django.utils import timezone, translation

from ventanilla.core.models import Jurisdiction, JurisdictionLevel, Role, User
from ventanilla.core.profiles import CountryProfile
from ventanilla.registry import birth_estimates, dashboards, demo_births, services
from ventanilla.registry.models import BirthEstimate, Person, VitalRecord
from ventanilla.registry.tests.test_pages import page, signed_in

BirthData = Callable[..., dict[str, Any]]
MakeUser = Callable[..., User]

pytestmark = pytest.mark.django_db

#: A second municipality in the home state (with an estimate and no births).
SECOND_HOME = {"mx": "09003", "kr": "11140"}
#: Given names of their own, so that no birth is a near-duplicate of another.
GIVEN = {
    "mx": ["Lucía", "Mateo", "Valeria", "Diego", "Renata", "Emilio", "Camila", "Santiago"],
    "kr": ["하은", "시우", "지안", "도현", "서아", "준우", "예린", "건우"],
}
#: The year the report is asked for: over, and its births all registered.
YEAR = dt.date.today().year - 2


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Command output is asserted in English, whatever the profile's language."""
    with translation.override("en"):
        yield


def _place(code: str) -> Jurisdiction:
    return Jurisdiction.objects.get(
        level__in=[JurisdictionLevel.STATE, JurisdictionLevel.MUNICIPALITY], official_code=code
    )


def _home_codes(offices: dict[str, Jurisdiction]) -> tuple[str, str, str, str]:
    """Official codes of municipality A, its state, municipality B and its state."""
    a, b = offices["a"].parent, offices["b"].parent
    assert a is not None and a.parent is not None and b is not None and b.parent is not None
    return a.official_code, a.parent.official_code, b.official_code, b.parent.official_code


def _write(tmp_path: Path, rows: list[list[str]], name: str = "estimates.csv") -> Path:
    path = tmp_path / name
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(rows)
    return path


def _stored() -> dict[tuple[str, int], tuple[int, str]]:
    return {
        (e.jurisdiction.official_code, e.year): (e.expected_births, e.source)
        for e in BirthEstimate.objects.select_related("jurisdiction")
    }


# --------------------------------------------------------------------------------------------
# Importing estimates
# --------------------------------------------------------------------------------------------

HEADER = ["official_code", "year", "expected_births", "source"]


def test_a_good_file_is_imported_and_a_second_run_changes_nothing(
    offices: dict[str, Jurisdiction], tmp_path: Path
) -> None:
    muni, state, _muni_b, _state_b = _home_codes(offices)
    # Columns in another order than documented, with a byte-order mark: both accepted.
    path = tmp_path / "estimates.csv"
    path.write_text(
        "\ufeffyear,official_code,source,expected_births\n"
        f'2024,{state},"CONAPO, proyecciones",140512\n'
        f"\n2024,{muni},KOSTAT,7012\n"
        f"2025,{muni},KOSTAT,6950\n",
        encoding="utf-8",
    )
    out = StringIO()
    call_command("import_birth_estimates", str(path), stdout=out)
    assert _stored() == {
        (state, 2024): (140512, "CONAPO, proyecciones"),
        (muni, 2024): (7012, "KOSTAT"),
        (muni, 2025): (6950, "KOSTAT"),
    }
    assert "3 estimates added, 0 changed, 0 already as stored" in out.getvalue()
    before = {e.pk: e.updated_at for e in BirthEstimate.objects.all()}

    again = StringIO()
    call_command("import_birth_estimates", str(path), stdout=again)
    assert "0 estimates added, 0 changed, 3 already as stored" in again.getvalue()
    assert {e.pk: e.updated_at for e in BirthEstimate.objects.all()} == before


def test_a_changed_figure_replaces_the_old_one_for_that_place_and_year(
    offices: dict[str, Jurisdiction], tmp_path: Path
) -> None:
    muni, state, _muni_b, _state_b = _home_codes(offices)
    first = _write(
        tmp_path, [HEADER, [muni, "2024", "7012", "KOSTAT"], [state, "2024", "140512", "KOSTAT"]]
    )
    call_command("import_birth_estimates", str(first), stdout=StringIO())
    revised = _write(
        tmp_path,
        [HEADER, [muni, "2024", "7100", "KOSTAT, revised"], [state, "2024", "140512", "KOSTAT"]],
        "revised.csv",
    )
    out = StringIO()
    call_command("import_birth_estimates", str(revised), stdout=out)
    assert "0 estimates added, 1 changed, 1 already as stored" in out.getvalue()
    assert _stored() == {
        (muni, 2024): (7100, "KOSTAT, revised"),
        (state, 2024): (140512, "KOSTAT"),
    }
    assert BirthEstimate.objects.count() == 2


def test_a_bad_file_writes_nothing_and_reports_every_row_field_and_error(
    offices: dict[str, Jurisdiction], tmp_path: Path
) -> None:
    muni, state, muni_b, _state_b = _home_codes(offices)
    call_command(
        "import_birth_estimates",
        str(_write(tmp_path, [HEADER, [muni, "2024", "7012", "KOSTAT"]], "old.csv")),
        stdout=StringIO(),
    )
    path = _write(
        tmp_path,
        [
            HEADER,
            [state, "2024", "140512", "CONAPO"],  # line 2: good, yet not written
            ["99999", "2024", "10", "CONAPO"],  # unknown code
            [muni_b, "2024", "-5", "CONAPO"],  # negative count
            [muni_b, "24", "5", "CONAPO"],  # bad year
            [muni_b, "1850", "5", "CONAPO"],  # year out of range
            [muni, "2024", "0", "CONAPO"],  # zero: not a positive count
            [muni, "2025", "12.5", ""],  # a fraction and no source
            [state, "2024", "140600", "CONAPO"],  # the same place and year as line 2
        ],
    )
    report = tmp_path / "report.csv"
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_birth_estimates", str(path), "--report", str(report), stderr=err)
    expected = [
        ("3", "official_code", "unknown_code"),
        ("4", "expected_births", "not_positive"),
        ("5", "year", "invalid_year"),
        ("6", "year", "invalid_year"),
        ("7", "expected_births", "not_positive"),
        ("8", "expected_births", "not_a_whole_number"),
        ("8", "source", "required"),
        ("9", "", "duplicate_row"),
    ]
    with report.open(encoding="utf-8") as lines:
        rows = list(csv.DictReader(lines))
    assert [(r["row"], r["field"], r["error"]) for r in rows] == expected
    assert all(r["message"] for r in rows)
    assert "row 4, expected_births: not_positive" in err.getvalue()
    # All or nothing: the good row was not written and the stored estimate is untouched.
    assert _stored() == {(muni, 2024): (7012, "KOSTAT")}


def test_a_file_without_the_layout_s_header_is_refused(
    offices: dict[str, Jurisdiction], tmp_path: Path
) -> None:
    muni, *_rest = _home_codes(offices)
    path = _write(tmp_path, [["code", "year", "births"], [muni, "2024", "10"]])
    with pytest.raises(CommandError, match="official_code, year, expected_births, source"):
        call_command("import_birth_estimates", str(path))
    assert not BirthEstimate.objects.exists()


# --------------------------------------------------------------------------------------------
# The completeness report
# --------------------------------------------------------------------------------------------


def _birth(actor: User, data: dict[str, Any], born: dt.date, delay: int) -> None:
    """A birth on `born`, registered `delay` days later."""
    record = services.record_declare(
        actor=actor, event_type="birth", data={**data, "birth_date": born.isoformat()}
    )
    record = services.record_register(actor=actor, record_id=record.pk)
    moment = dt.datetime.combine(born + dt.timedelta(days=delay), dt.time(12))
    VitalRecord.objects.filter(pk=record.pk).update(registered_at=timezone.make_aware(moment))


def _estimate(code: str, year: int, births: int, source: str = "CONAPO 2023") -> None:
    BirthEstimate.objects.create(
        jurisdiction=_place(code), year=year, expected_births=births, source=source
    )


@pytest.fixture
def national_admin(offices: dict[str, Jurisdiction], make_user: MakeUser) -> User:
    return make_user("admin", Role.NATIONAL_ADMIN, offices["country"])


@pytest.fixture
def registrations(
    registrar: User,
    registrar_b: User,
    birth_data: BirthData,
    offices: dict[str, Jurisdiction],
    profile: CountryProfile,
) -> dict[str, str]:
    """Births of YEAR: five at office A (2 timely, 4 within a year), two at office B; one of
    the year before at A. Estimates for A, a second municipality of A's state, A's state (not
    B's), and B for the year before."""
    given = GIVEN[profile.code]
    muni, state, muni_b, _state_b = _home_codes(offices)
    start = dt.date(YEAR, 1, 10)

    def last_timely_day(born: dt.date) -> int:
        return (profile.registration.birth_deadline(born) - born).days

    delays: tuple[Callable[[dt.date], int], ...] = (
        lambda born: 5,
        last_timely_day,
        lambda born: last_timely_day(born) + 1,
        lambda born: 365,
        lambda born: 400,
    )
    for index, delay in enumerate(delays):
        born = start + dt.timedelta(days=7 * index)
        _birth(registrar, birth_data(index, given_names=given[index]), born, delay(born))
    for index in (5, 6):
        born = start + dt.timedelta(days=7 * index)
        _birth(registrar_b, birth_data(index, given_names=given[index]), born, 3)
    _birth(registrar, birth_data(7, given_names=given[7]), dt.date(YEAR - 1, 6, 1), 3)
    second = SECOND_HOME[profile.code]
    _estimate(muni, YEAR, 10)
    _estimate(second, YEAR, 4)
    _estimate(state, YEAR, 20)
    _estimate(muni_b, YEAR - 1, 50)
    return {"muni": muni, "second": second, "state": state, "muni_b": muni_b}


def test_completeness_divides_the_year_s_registered_births_by_the_expected_ones(
    supervisor: User, registrations: dict[str, str], django_assert_max_num_queries: Any
) -> None:
    # The actor's roles, one grouped query per source of births (registered here, imported)
    # and the estimates: the same for a hundred births or a million.
    with django_assert_max_num_queries(4):
        report = dashboards.birth_registration_completeness(
            actor=supervisor, level="municipality", year=YEAR
        )
    # B's births are outside the state supervisor's scope; A's second municipality has an
    # estimate and no registration: it shows, at zero.
    assert [
        (r.code, r.registered, r.timely, r.within_year, r.expected) for r in report.rows
    ] == sorted([(registrations["muni"], 5, 2, 4, 10), (registrations["second"], 0, 0, 0, 4)])
    home = next(r for r in report.rows if r.code == registrations["muni"])
    assert (home.timely_completeness, home.within_year_completeness, home.completeness) == (
        0.2,
        0.4,
        0.5,
    )
    assert home.source == "CONAPO 2023"
    assert report.totals is not None
    assert (report.totals.registered, report.totals.expected) == (5, 14)

    by_state = dashboards.birth_registration_completeness(
        actor=supervisor, level="state", year=YEAR
    )
    assert [(r.code, r.registered, r.expected) for r in by_state.rows] == [
        (registrations["state"], 5, 20)
    ]
    earlier = dashboards.birth_registration_completeness(
        actor=supervisor, level="municipality", year=YEAR - 1
    )
    assert [(r.code, r.registered, r.expected) for r in earlier.rows] == [
        (registrations["muni"], 1, None)
    ]


def test_a_place_without_an_estimate_shows_no_figure(
    national_admin: User, registrations: dict[str, str], offices: dict[str, Jurisdiction]
) -> None:
    _muni, state, _muni_b, state_b = _home_codes(offices)
    report = dashboards.birth_registration_completeness(
        actor=national_admin, level="state", year=YEAR
    )
    rows = {r.code: r for r in report.rows}
    assert set(rows) == {state, state_b}
    assert (rows[state_b].registered, rows[state_b].expected) == (2, None)
    assert rows[state_b].completeness is None and rows[state_b].timely_completeness is None
    # The totals add up only the places with an estimate.
    assert report.totals is not None
    assert (report.totals.registered, report.totals.expected) == (5, 20)


def test_the_estimate_years_and_the_estimates_follow_the_scope(
    supervisor: User,
    national_admin: User,
    office_head: User,
    registrations: dict[str, str],
) -> None:
    assert dashboards.estimate_years(actor=supervisor) == [YEAR]
    assert dashboards.estimate_years(actor=national_admin) == [YEAR, YEAR - 1]
    # An office head sees their office's births, but an estimate covers the whole
    # municipality: no completeness is made up from part of it.
    assert dashboards.estimate_years(actor=office_head) == []
    report = dashboards.birth_registration_completeness(
        actor=office_head, level="municipality", year=YEAR
    )
    assert [(r.code, r.registered, r.expected) for r in report.rows] == [
        (registrations["muni"], 5, None)
    ]
    assert report.totals is None


# --------------------------------------------------------------------------------------------
# The page
# --------------------------------------------------------------------------------------------


def test_the_page_shows_the_latest_estimated_year_with_a_chart_and_its_table(
    supervisor: User, registrations: dict[str, str]
) -> None:
    html = page(signed_in(supervisor).get("/office/dashboard/"))
    assert f"Completeness per municipality, births of {YEAR}" in html
    assert f'<option value="{YEAR}" selected>{YEAR}</option>' in html
    assert 'aria-labelledby="completeness-chart-title"' in html
    assert '<desc id="completeness-chart-desc">' in html
    table = html[html.index('<table class="usa-table usa-table--stacked vt-completeness-table"') :]
    # The home municipality: 5 registered for 10 expected, 2 timely and 4 within a year.
    for figure in ("10", "20.0%", "40.0%", "50.0%", "CONAPO 2023"):
        assert f">{figure}</td>" in table, figure
    assert "0 registered for 4 expected births" in html
    assert "Total where an estimate exists" in table


def test_the_timeliness_on_the_page_counts_the_births_of_the_chosen_year(
    supervisor: User, registrations: dict[str, str], django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(3):
        report = dashboards.birth_registration_timeliness(
            actor=supervisor, level="municipality", year=YEAR - 1
        )
    assert [(r.code, r.total, r.within_month) for r in report.rows] == [
        (registrations["muni"], 1, 1)
    ]
    html = page(signed_in(supervisor).get(f"/office/dashboard/?year={YEAR}"))
    timeliness = html[html.index("vt-dashboard-table") :]
    assert f"Births of {YEAR} registered in your jurisdiction" in html
    # Office A's five births of YEAR, not the one of the year before.
    assert '<td data-label="Registered births" class="text-right">5</td>' in timeliness
    empty = page(signed_in(supervisor).get(f"/office/dashboard/?year={YEAR + 2}"))
    assert f"No birth of {YEAR + 2} has been registered in your jurisdiction yet." in empty


def test_a_place_without_an_estimate_says_so_on_the_page(
    national_admin: User, registrations: dict[str, str], offices: dict[str, Jurisdiction]
) -> None:
    muni_b = offices["b"].parent
    assert muni_b is not None and muni_b.parent is not None
    state_b = muni_b.parent
    html = page(signed_in(national_admin).get(f"/office/dashboard/?level=state&year={YEAR}"))
    assert f"{state_b.name}: no estimate</text>" in html
    table = html[html.index("vt-completeness-table") :]
    row = table[table.index(f'data-label="State">{state_b.name}</th>') :]
    row = row[: row.index("</tr>")]
    assert ">2</td>" in row and 'colspan="5">No estimate</td>' in row
    assert "%" not in row


def test_a_year_without_any_estimate_has_no_chart(
    registrar: User, supervisor: User, birth_data: BirthData, profile: CountryProfile
) -> None:
    today = timezone.localdate()
    _birth(registrar, birth_data(0, given_names=GIVEN[profile.code][0]), today, 0)
    html = page(signed_in(supervisor).get("/office/dashboard/"))
    # No estimate anywhere: the current year is shown, its birth counted, with no figure.
    assert f"Completeness per municipality, births of {today.year}" in html
    assert "No estimate of expected births covers these places" in html
    assert 'colspan="5">No estimate</td>' in html
    assert "completeness-chart-title" not in html


def test_a_year_not_offered_falls_back_to_the_default_and_keeps_the_grouping(
    supervisor: User, registrations: dict[str, str]
) -> None:
    html = page(signed_in(supervisor).get("/office/dashboard/?level=state&year=1999"))
    assert f"Completeness per state, births of {YEAR}" in html
    assert '<option value="state" selected>' in html


@pytest.mark.parametrize(
    ("language", "heading", "column"),
    [
        ("es-mx", "Completitud por municipio, nacimientos de", "Nacimientos esperados"),
        ("en", "Completeness per municipality, births of", "Expected births"),
        ("ko", "시·군·구별 완전성", "예상 출생아 수"),
    ],
)
def test_the_completeness_section_is_translated(
    supervisor: User, registrations: dict[str, str], language: str, heading: str, column: str
) -> None:
    html = page(signed_in(supervisor, language).get("/office/dashboard/"))
    assert heading in html
    assert f">{column}</th>" in html
    with translation.override(language):
        assert translation.gettext("Source of the estimate") in html
        assert translation.gettext("Year of birth") in html


# --------------------------------------------------------------------------------------------
# The demo
# --------------------------------------------------------------------------------------------


def test_the_demo_loads_estimates_labelled_as_demo_figures(profile: CountryProfile) -> None:
    out = StringIO()
    call_command("setup_demo", persons=150, seed=5, stdout=out)
    assert "Demo birth estimates" in out.getvalue()
    estimates = list(BirthEstimate.objects.select_related("jurisdiction"))
    assert estimates
    # Stored untranslated, so that every reader sees it in their own language.
    assert {e.source for e in estimates} == {birth_estimates.DEMO_SOURCE}
    # Each figure is the count of demo persons born there that year times the place's fixed
    # factor; a state's is the sum of its municipalities'.
    municipals = [e for e in estimates if e.jurisdiction.level == JurisdictionLevel.MUNICIPALITY]
    for municipal in municipals:
        born = Person.objects.filter(
            birth_place=municipal.jurisdiction, birth_date__year=municipal.year
        ).count()
        factor = demo_births.estimate_factor(municipal.jurisdiction.official_code)
        assert municipal.expected_births == max(1, int(born * factor + 0.5))
    state = next(e for e in estimates if e.jurisdiction.level == JurisdictionLevel.STATE)
    assert (
        state.expected_births
        == BirthEstimate.objects.filter(
            jurisdiction__parent=state.jurisdiction, year=state.year
        ).aggregate(total=Sum("expected_births"))["total"]
    )
    # The supervisor's dashboard has estimates to chart, and a second run adds nothing.
    supervisor = User.objects.get(username="supervisor")
    years = dashboards.estimate_years(actor=supervisor)
    assert years
    report = dashboards.birth_registration_completeness(
        actor=supervisor, level="municipality", year=years[0]
    )
    assert report.estimated_rows
    again = StringIO()
    call_command("setup_demo", persons=150, seed=5, stdout=again)
    assert f"{len(estimates)} unchanged" in again.getvalue()
    assert BirthEstimate.objects.count() == len(estimates)
