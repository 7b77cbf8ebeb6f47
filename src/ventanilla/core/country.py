"""The deployment's country profile, chosen by the VENTANILLA_PROFILE setting."""

from __future__ import annotations

from django.conf import settings

from ventanilla.core.profiles import CountryProfile, load_profile


def current_profile() -> CountryProfile:
    return load_profile(settings.VENTANILLA_PROFILE)
