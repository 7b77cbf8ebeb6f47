"""The import's progress speaks the user's language, on a terminal and in a log."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils import translation

from ventanilla.core.models import Jurisdiction
from ventanilla.core.profiles import CountryProfile
from ventanilla.core.progress import progress
from ventanilla.registry.legacy import import_legacy_file
from ventanilla.registry.tests.test_legacy_import import _family, _write


@pytest.fixture
def spanish() -> Iterator[None]:
    with translation.override("es-mx"):
        yield


def test_a_log_reads_the_import_in_the_users_language(
    spanish: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    out = io.StringIO()
    with progress(
        total=20_000, unit=translation.gettext("rows"), desc="big6.csv", stream=out
    ) as shown:
        now[0] += 30
        shown.update(12_000)
    assert out.getvalue().splitlines()[0] == (
        "big6.csv: 12,000 / 20,000 filas (60.0 %), 400/s, faltan unos 20 s"
    )


def test_the_import_bar_counts_rows_in_the_users_language(
    spanish: None,
    profile: CountryProfile,
    offices: dict[str, Jurisdiction],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import_legacy_file(_write(tmp_path / "births.csv", _family(profile)), "birth", progress=True)
    bar = capsys.readouterr().err
    assert "births.csv: 100%" in bar
    assert " filas/s" in bar
    assert "rows" not in bar
