from __future__ import annotations

import pytest

from .. import IdScheme, get_scheme, scheme_codes


def test_known_schemes_satisfy_the_protocol() -> None:
    assert scheme_codes() == ("curp", "rrn")
    for code in scheme_codes():
        scheme = get_scheme(code)
        assert isinstance(scheme, IdScheme)
        assert scheme.code == code
        assert scheme.label
        assert scheme.max_variants > 0


def test_unknown_scheme_is_a_key_error() -> None:
    with pytest.raises(KeyError, match="nin"):
        get_scheme("nin")
