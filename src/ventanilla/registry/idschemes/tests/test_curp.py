from __future__ import annotations

import dataclasses
import datetime

import pytest
from hypothesis import given
from stdnum.mx import curp as stdnum_curp

from .. import CurpScheme, IdSpaceExhaustedError, IdSubject, InvalidIdError, get_scheme
from .strategies import SETTINGS, curp_subjects

SCHEME = CurpScheme()
BORN_1963 = datetime.date(1963, 3, 21)


def subject(
    given_names: str,
    first_surname: str,
    second_surname: str = "",
    *,
    born: datetime.date = BORN_1963,
    sex: str = "M",
    state: str = "DF",
    foreign: bool = False,
) -> IdSubject:
    return IdSubject(given_names, first_surname, second_surname, born, sex, state, foreign)


def with_check_digit(first17: str) -> str:
    # stdnum's own implementation is the independent oracle here.
    return first17 + str(stdnum_curp.calc_check_digit(first17))


def test_registered() -> None:
    assert isinstance(get_scheme("curp"), CurpScheme)


def test_renapo_published_example() -> None:
    # The hypothetical person RENAPO uses: Ricardo Alamán Pérez, DF, 21 March 1963.
    curp = SCHEME.propose(subject("RICARDO", "ALAMÁN", "PÉREZ"))
    assert curp == "AAPR630321HDFLRC09"
    assert stdnum_curp.is_valid(curp)


# Examples from the Instructivo's "criterios de excepción".
@pytest.mark.parametrize(
    ("given_names", "first", "second", "letters", "consonants"),
    [
        ("ALBERTO", "ÑANDO", "RODRIGUEZ", "XARA", "NDL"),
        ("MARIA LUISA", "PEREZ", "HERNANDEZ", "PEHL", "RRS"),
        ("LUIS ENRIQUE", "ROMERO", "PALAZUELOS", "ROPL", "MLS"),
        ("ROCIO", "RIVA PALACIO", "CRUZ", "RICR", "VRC"),
        ("CARLOS", "MC GREGOR", "LOPEZ", "GELC", "RPR"),
        ("OFELIA", "PEDRERO", "DOMINGUEZ", "PXDO", "DMF"),
        ("ANDRES", "ICH", "RODRIGUEZ", "IXRA", "CDN"),
        ("ALBERTO", "OÑATE", "RODRIGUEZ", "OARA", "XDL"),
        ("MA. DE LOS ANGELES", "MORENO", "SANCHEZ", "MOSA", "RNN"),
        ("JUAN JOSE", "D/AMICO", "ALVAREZ", "DXAJ", "XLN"),
    ],
)
def test_instructivo_examples(
    given_names: str, first: str, second: str, letters: str, consonants: str
) -> None:
    curp = SCHEME.propose(subject(given_names, first, second))
    assert curp[:4] == letters
    assert curp[13:16] == consonants
    assert SCHEME.is_valid(curp)


@pytest.mark.parametrize(
    ("given_names", "first", "second", "expected"),
    [
        # particles in surnames
        ("JUANA", "DE LA CRUZ", "DEL VALLE", "CUVJ630321MDFRLN0"),
        # MARÍA skipped, accents dropped
        ("MARÍA JOSÉ", "GONZÁLEZ", "ÁLVAREZ", "GOAJ630321MDFNLS0"),
        # JOSE skipped, MARIA after it is used
        ("JOSÉ MARÍA", "LÓPEZ", "OBRADOR", "LOOM630321MDFPBR0"),
        # Ñ as internal consonant becomes X
        ("IVÁN", "MUÑOZ", "PEÑA", "MUPI630321MDFXXV0"),
        # no second surname
        ("ÚRSULA", "IBARRA", "", "IAXU630321MDFBXR0"),
        # apostrophe dropped, Ü folded
        ("NOÉ", "O'HIGGINS", "ARGÜELLES", "OIAN630321MDFHRX0"),
        # an acute accent typed as apostrophe, a particle inside the given names
        ("ANA DE JESÚS", "D´ARTOIS", "", "DAXA630321MDFRXN0"),
        # a single given name that is a particle stays
        ("Y", "PAZ", "MAR", "PAMY630321MDFZRX0"),
        # "LE" as the whole surname is kept
        ("ANH", "LE", "", "LEXA630321MDFXXN0"),
    ],
)
def test_name_rules(given_names: str, first: str, second: str, expected: str) -> None:
    curp = SCHEME.propose(subject(given_names, first, second, sex="F"))
    assert curp[:17] == expected
    assert stdnum_curp.is_valid(curp)


def test_inconvenient_word_gets_x() -> None:
    curp = SCHEME.propose(subject("OSCAR", "PEDRAZA", "DÍAZ"))
    assert curp[:4] == "PXDO"
    assert stdnum_curp.is_valid(curp)


def test_foreign_born_is_ne_whatever_the_state() -> None:
    curp = SCHEME.propose(subject("ANA", "SMITH", "", sex="F", state="JC", foreign=True))
    assert curp[11:13] == "NE"
    assert SCHEME.decode(curp).state_code == "NE"


def test_sex_x_is_valid_and_decodes() -> None:
    curp = SCHEME.propose(subject("ALEX", "RAMOS", "VEGA", sex="X", state="JC"))
    assert curp[10] == "X"
    assert SCHEME.is_valid(curp)
    assert SCHEME.decode(curp).sex == "X"


def test_homonym_variants_by_century() -> None:
    old = subject("ANA", "RUIZ", "GIL", born=datetime.date(1999, 12, 31), sex="F")
    new = subject("ANA", "RUIZ", "GIL", born=datetime.date(2000, 1, 1), sex="F")
    assert SCHEME.variants_for(old) == 10
    assert SCHEME.variants_for(new) == 26
    assert [SCHEME.propose(old, v)[16] for v in range(10)] == list("0123456789")
    assert SCHEME.propose(new)[16] == "A"
    assert SCHEME.propose(new, 25)[16] == "Z"
    with pytest.raises(IdSpaceExhaustedError):
        SCHEME.propose(old, 10)
    with pytest.raises(IdSpaceExhaustedError):
        SCHEME.propose(new, 26)
    with pytest.raises(ValueError, match="variant"):
        SCHEME.propose(new, -1)


@pytest.mark.parametrize(
    ("bad", "code"),
    [
        (subject("ANA", "RUIZ", state="XX"), "invalid_state"),
        (subject("ANA", "RUIZ", born=datetime.date(1899, 12, 31)), "unsupported_date"),
        (subject("ANA", "RUIZ", born=datetime.date(2100, 1, 1)), "unsupported_date"),
        (subject("", "RUIZ"), "invalid_name"),
        (subject("ANA", "'.-"), "invalid_name"),
        (subject("ANA", "RUIZ", sex="U"), "invalid_sex"),
    ],
)
def test_unusable_subjects(bad: IdSubject, code: str) -> None:
    with pytest.raises(InvalidIdError) as caught:
        SCHEME.propose(bad)
    assert caught.value.code == code


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("AAPR630321HDFLRC08", "invalid_check_digit"),
        ("AAPR630321HDFLRC0", "invalid_length"),
        ("AAPR630321HDFLRC099", "invalid_length"),
        ("", "invalid_length"),
        ("1APR630321HDFLRC09", "invalid_format"),
        ("ABPR630321HDFLRC09", "invalid_format"),  # 2nd letter must be a vowel or X
        ("AAPR630321QDFLRC09", "invalid_format"),  # sex letter
        ("AAPR630321HDFARC09", "invalid_format"),  # internal consonant slot
        (with_check_digit("AAPR630230HDFLRC0"), "invalid_date"),
        (with_check_digit("AAPR631321HDFLRC0"), "invalid_date"),
        (with_check_digit("AAPR000229HDFLRC0"), "invalid_date"),  # 1900 was no leap year
        (with_check_digit("AAPR630321HZZLRC0"), "invalid_state"),
        (with_check_digit("PEDO630321HDFDMF0"), "inconvenient_word"),
    ],
)
def test_decode_rejects(value: str, code: str) -> None:
    with pytest.raises(InvalidIdError) as caught:
        SCHEME.decode(value)
    assert caught.value.code == code
    assert not SCHEME.is_valid(value)


def test_decode_century_from_homonym() -> None:
    leap = SCHEME.decode(with_check_digit("AAPR000229HDFLRCA"))
    assert leap.birth_date == datetime.date(2000, 2, 29)
    assert SCHEME.decode("BOXW310820HNERXN09").birth_date == datetime.date(1931, 8, 20)


def test_normalise_format_mask() -> None:
    assert SCHEME.normalise(" aapr-630321 hdflrc09\u200b ") == "AAPR630321HDFLRC09"
    assert SCHEME.is_valid("aapr630321hdflrc09")
    assert SCHEME.format("aapr 630321 hdflrc09") == "AAPR630321HDFLRC09"
    assert SCHEME.mask("AAPR630321HDFLRC09") == "AAPR************09"
    assert SCHEME.mask("short") == "*****"


@SETTINGS
@given(curp_subjects())
def test_every_variant_is_valid_distinct_and_decodes(person: IdSubject) -> None:
    count = SCHEME.variants_for(person)
    proposals = [SCHEME.propose(person, v) for v in range(count)]
    assert len(set(proposals)) == count
    expected_state = "NE" if person.foreign else person.birth_state
    for curp in proposals:
        assert SCHEME.is_valid(curp), curp
        if person.sex != "X":
            assert stdnum_curp.is_valid(curp), curp
        assert curp[:16] == proposals[0][:16]
        decoded = SCHEME.decode(curp)
        assert decoded.birth_date == person.birth_date
        assert decoded.sex == person.sex
        assert decoded.state_code == expected_state
        assert SCHEME.normalise(SCHEME.format(curp)) == curp
    with pytest.raises(IdSpaceExhaustedError):
        SCHEME.propose(person, count)


@SETTINGS
@given(curp_subjects())
def test_a_curp_encodes_its_subject_under_every_homonym_character(person: IdSubject) -> None:
    assert SCHEME.first_variant(person) == 0
    for variant in (0, SCHEME.variants_for(person) - 1):
        assert SCHEME.encodes(person, SCHEME.propose(person, variant))
    renamed = dataclasses.replace(person, given_names="Zacarías")
    if SCHEME.propose(renamed)[:16] != SCHEME.propose(person)[:16]:
        assert not SCHEME.encodes(renamed, SCHEME.propose(person))
