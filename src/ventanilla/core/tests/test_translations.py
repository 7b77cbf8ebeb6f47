"""Every catalogued string is translated into Spanish (Mexico) and Korean."""

from __future__ import annotations

from pathlib import Path

import polib
import pytest
from django.conf import settings


@pytest.mark.parametrize("language", ["es_MX", "ko"])
def test_every_string_has_a_translation(language: str) -> None:
    catalogue = polib.pofile(
        str(Path(settings.LOCALE_PATHS[0]) / language / "LC_MESSAGES" / "django.po")
    )
    missing = [e.msgid for e in catalogue if e.msgid and not e.obsolete and (not e.translated())]
    assert missing == []
    assert len(catalogue) > 300
