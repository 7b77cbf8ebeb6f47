"""Municipality catalogue parsers: official layouts in, Municipality out, bad lines rejected."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from .. import (
    CatalogueFormatError,
    Municipality,
    parse_inegi_municipalities,
    parse_kr_legal_dong,
)

INEGI_HEADER = "CVEGEO,CVE_ENT,NOM_ENT,NOM_ABR,CVE_MUN,NOM_MUN"
FULL_HEADER = (
    '"CVEGEO","CVE_ENT","NOM_ENT","NOM_ABR","CVE_MUN","NOM_MUN",'
    '"CVE_CAB","NOM_CAB","PTOT","PMAS","PFEM","VTOT"'
)
KR_HEADER = "법정동코드\t법정동명\t폐지여부"


def inegi(*lines: str) -> list[Municipality]:
    return list(parse_inegi_municipalities(lines))


def kr(*rows: str) -> list[Municipality]:
    return list(parse_kr_legal_dong([KR_HEADER, *(row.replace("|", "\t") for row in rows)]))


# --- INEGI --------------------------------------------------------------------------------


def test_inegi_basic() -> None:
    assert inegi(INEGI_HEADER + "\n", "09007,09,Ciudad de México,CDMX,007,Iztapalapa\n") == [
        Municipality(code="09007", state_code="09", name="Iztapalapa")
    ]


def test_inegi_full_ageeml_layout_with_bom_crlf_and_quotes() -> None:
    text = (
        "\ufeff" + FULL_HEADER + "\r\n"
        '"01001","01","Aguascalientes","Ags.","001","Aguascalientes","0001","Aguascalientes",'
        '"948990","461370","487620","262335"\r\n'
        "\r\n"
        '"14039","14","Jalisco","Jal.","039","Guadalajara","0001","Guadalajara",'
        '"1385629","670535","715094","396467"\r\n'
    )
    assert list(parse_inegi_municipalities(io.StringIO(text, newline=""))) == [
        Municipality("01001", "01", "Aguascalientes"),
        Municipality("14039", "14", "Guadalajara"),
    ]


def test_inegi_without_cvegeo_column() -> None:
    assert inegi("CVE_ENT,CVE_MUN,NOM_MUN", "19,039,Monterrey") == [
        Municipality("19039", "19", "Monterrey")
    ]


@pytest.mark.parametrize(
    ("lines", "line_number", "reason"),
    [
        ([], 1, "no header"),
        (["CODE,NAME", "01001,Aguascalientes"], 1, "unknown header"),
        (["\u00ef\u00bb\u00bfCVE_ENT,CVE_MUN,NOM_MUN"], 1, "unknown header"),
        ([INEGI_HEADER, "01001,01,Aguascalientes,Ags.,001"], 2, "expected 6 columns, got 5"),
        ([INEGI_HEADER, "", "01001,01,Ags,Ags.,001,Ags,extra"], 3, "expected 6 columns"),
        ([INEGI_HEADER, "0100A,01,Ags,Ags.,00A,Aguascalientes"], 2, "CVE_MUN"),
        ([INEGI_HEADER, "1001,1,Ags,Ags.,001,Aguascalientes"], 2, "CVE_ENT '1'"),
        ([INEGI_HEADER, "33001,33,X,X,001,X"], 2, "01..32"),
        ([INEGI_HEADER, "01000,01,Ags,Ags.,000,Aguascalientes"], 2, "CVE_MUN '000'"),
        ([INEGI_HEADER, "01002,01,Ags,Ags.,001,Aguascalientes"], 2, "CVEGEO '01002'"),
        ([INEGI_HEADER, "01001,01,Ags,Ags.,001,  "], 2, "empty NOM_MUN"),
        ([INEGI_HEADER, "01001,01,A,A,001,A", "01001,01,A,A,001,A"], 3, "duplicate"),
        ([INEGI_HEADER, '01001,01,"Ags,Ags.,001,Aguascalientes'], 2, "invalid CSV"),
    ],
)
def test_inegi_rejects_malformed(lines: list[str], line_number: int, reason: str) -> None:
    with pytest.raises(CatalogueFormatError) as excinfo:
        inegi(*lines)
    assert excinfo.value.line_number == line_number
    assert reason in excinfo.value.reason
    assert str(excinfo.value).startswith(f"line {line_number}: ")
    assert isinstance(excinfo.value, ValueError)


def test_inegi_is_lazy_and_reports_the_bad_line_after_good_ones() -> None:
    rows = parse_inegi_municipalities(
        [INEGI_HEADER, "01001,01,Ags,Ags.,001,Aguascalientes", "oops"]
    )
    assert next(rows).code == "01001"
    with pytest.raises(CatalogueFormatError, match="^line 3: "):
        next(rows)


# --- 법정동코드 ----------------------------------------------------------------------------


def test_kr_keeps_existing_sigungu_rows_only() -> None:
    got = kr(
        "1100000000|서울특별시|존재",
        "1111000000|서울특별시 종로구|존재",
        "1111010100|서울특별시 종로구 청운동|존재",
        "4111000000|경기도 수원시|존재",
        "4111100000|경기도 수원시 장안구|존재",
        "4200000000|강원도|폐지",
        "4211000000|강원도 춘천시|폐지",
        "5111000000|강원특별자치도 춘천시|존재",
        "3611000000|세종특별자치시|존재",
    )
    assert got == [
        Municipality("11110", "11", "종로구"),
        Municipality("41110", "41", "수원시"),
        Municipality("41111", "41", "수원시 장안구"),
        Municipality("51110", "51", "춘천시"),
        Municipality("36110", "36", "세종특별자치시"),
    ]


def test_kr_tolerates_bom_and_crlf() -> None:
    text = "\ufeff" + KR_HEADER + "\r\n2635000000\t부산광역시 해운대구\t존재\r\n"
    assert list(parse_kr_legal_dong(io.StringIO(text, newline=""))) == [
        Municipality("26350", "26", "해운대구")
    ]


@pytest.mark.parametrize(
    ("lines", "line_number", "reason"),
    [
        ([], 1, "no header"),
        (["code\tname\tstatus"], 1, "unknown header"),
        (["법정동코드,법정동명,폐지여부"], 1, "unknown header"),
        ([KR_HEADER, "1111000000\t서울특별시 종로구"], 2, "got 2"),
        ([KR_HEADER, "1111000000\t서울특별시 종로구\t존재\tx"], 2, "got 4"),
        ([KR_HEADER, "111100000\t서울특별시 종로구\t존재"], 2, "10-digit"),
        ([KR_HEADER, "11110000AB\t서울특별시 종로구\t존재"], 2, "10-digit"),
        ([KR_HEADER, "", "1111000000\t서울특별시 종로구\t있음"], 3, "폐지여부"),
        ([KR_HEADER, "1111000000\t\t존재"], 2, "empty"),
        ([KR_HEADER, "1111000000\t종로구\t존재", "1111000000\t종로구\t존재"], 3, "duplicate"),
    ],
)
def test_kr_rejects_malformed(lines: list[str], line_number: int, reason: str) -> None:
    with pytest.raises(CatalogueFormatError) as excinfo:
        list(parse_kr_legal_dong(lines))
    assert excinfo.value.line_number == line_number
    assert reason in excinfo.value.reason


# --- properties ---------------------------------------------------------------------------

codes = st.one_of(st.text(alphabet="0123456789", min_size=0, max_size=4), st.text(max_size=4))
cells = st.text(max_size=12)


@st.composite
def inegi_rows(draw: st.DrawFn) -> tuple[str, str, str]:
    """A CSV line for INEGI_HEADER, with its raw CVE_ENT and CVE_MUN.

    Half the rows are built from plausible values, so the parser's success path is exercised
    as much as its error paths; the rest are arbitrary.
    """
    if draw(st.booleans()):
        ent = draw(st.integers(1, 32).map("{:02d}".format))
        mun = draw(st.integers(1, 999).map("{:03d}".format))
        row = [ent + mun, ent, "Entidad", "Ent.", mun, draw(cells.filter(str.strip))]
    else:
        ent, mun = draw(codes), draw(codes)
        cvegeo = draw(st.one_of(st.just(ent + mun), codes))
        row = [cvegeo, ent, draw(cells), draw(cells), mun, draw(cells)]
        row += draw(st.lists(cells, max_size=1))
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(row)
    return out.getvalue(), ent, mun


def run(
    parser: Callable[[Iterable[str]], Iterator[Municipality]], lines: list[str]
) -> tuple[list[Municipality], CatalogueFormatError | None]:
    """Everything the parser yields before it stops, and the CatalogueFormatError if any.

    Any other exception propagates and fails the test.
    """
    parsed: list[Municipality] = []
    try:
        parsed.extend(parser(lines))
    except CatalogueFormatError as exc:
        return parsed, exc
    return parsed, None


@given(st.lists(inegi_rows(), max_size=8))
def test_inegi_property_structured(rows: list[tuple[str, str, str]]) -> None:
    lines = [INEGI_HEADER, *(line for line, _, _ in rows)]
    parsed, error = run(parse_inegi_municipalities, lines)
    for municipality, (_, ent, mun) in zip(parsed, rows, strict=False):
        assert municipality.code == ent + mun
        assert municipality.state_code == ent
        assert municipality.name
    if error is None:
        assert len(parsed) == len(rows)
    else:
        # The error names the first line that was not turned into a municipality.
        assert error.line_number == len(parsed) + 2


@given(
    st.one_of(st.just(INEGI_HEADER), st.just(FULL_HEADER), st.text()),
    st.lists(st.text(), max_size=8),
)
def test_inegi_property_arbitrary_lines(header: str, lines: list[str]) -> None:
    parsed, error = run(parse_inegi_municipalities, [header, *lines])
    for municipality in parsed:
        assert isinstance(municipality, Municipality)
        assert len(municipality.code) == 5
        assert municipality.code.isascii()
        assert municipality.code.isdigit()
        assert municipality.code[:2] == municipality.state_code
    assert error is None or 1 <= error.line_number <= len(lines) + 1


@given(st.lists(st.text(), max_size=8))
def test_kr_property_arbitrary_lines(lines: list[str]) -> None:
    parsed, error = run(parse_kr_legal_dong, [KR_HEADER, *lines])
    for municipality in parsed:
        assert len(municipality.code) == 5
        assert municipality.code.isascii()
        assert municipality.code.isdigit()
        assert not municipality.code.endswith("000")
        assert municipality.code.startswith(municipality.state_code)
    assert error is None or 1 <= error.line_number <= len(lines) + 1
