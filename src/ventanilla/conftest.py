"""Shared fixtures: the deployment's jurisdictions and named personas for every role.

State A holds the home office; state B another one. Tests read as
"the registrar in A may…, the registrar in B may not…".
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from hypothesis import settings

from ventanilla.core.country import current_profile
from ventanilla.core.jurisdictions import (
    ensure_country,
    ensure_office,
    forget_cached,
    import_municipalities,
)
from ventanilla.core.models import Jurisdiction, JurisdictionLevel, Role, RoleAssignment, User
from ventanilla.core.profiles import CountryProfile, demo_municipalities

# A property test fails on what it finds, not on the wall clock: the default deadline of
# 200 ms per example failed examples that only ran while the machine was busy.
settings.register_profile("ventanilla", deadline=None)
settings.load_profile("ventanilla")

HOMES = {"mx": ("09015", "14039"), "kr": ("11110", "26110")}


@pytest.fixture(autouse=True)
def _fresh_jurisdiction_cache() -> None:
    """Each test rolls its jurisdictions back, which no signal reports to the cache."""
    forget_cached()


@pytest.fixture
def profile() -> CountryProfile:
    return current_profile()


@pytest.fixture
def offices(db: Any, profile: CountryProfile) -> dict[str, Jurisdiction]:
    ensure_country(profile)
    import_municipalities(profile, demo_municipalities(profile.code))
    result: dict[str, Jurisdiction] = {}
    for label, code in zip(("a", "b"), HOMES[profile.code], strict=True):
        municipality = Jurisdiction.objects.get(
            level=JurisdictionLevel.MUNICIPALITY, official_code=code
        )
        result[label] = ensure_office(municipality, 1, f"{municipality.name} 01")
    result["country"] = Jurisdiction.objects.get(level=JurisdictionLevel.COUNTRY)
    return result


MakeUser = Callable[..., User]


@pytest.fixture
def make_user(db: Any) -> MakeUser:
    def make(username: str, role: Role | None = None, where: Jurisdiction | None = None) -> User:
        user = User.objects.create_user(username=username, password="correct-horse-battery")
        if role is not None and where is not None:
            RoleAssignment.objects.create(user=user, role=role, jurisdiction=where)
        return user

    return make


@pytest.fixture
def registrar(offices: dict[str, Jurisdiction], make_user: MakeUser) -> User:
    return make_user("registrar_a", Role.REGISTRAR, offices["a"])


@pytest.fixture
def registrar_b(offices: dict[str, Jurisdiction], make_user: MakeUser) -> User:
    return make_user("registrar_b", Role.REGISTRAR, offices["b"])


@pytest.fixture
def agent(offices: dict[str, Jurisdiction], make_user: MakeUser) -> User:
    return make_user("agent_a", Role.AGENT, offices["a"])


@pytest.fixture
def office_head(offices: dict[str, Jurisdiction], make_user: MakeUser) -> User:
    return make_user("head_a", Role.OFFICE_HEAD, offices["a"])


@pytest.fixture
def supervisor(offices: dict[str, Jurisdiction], make_user: MakeUser) -> User:
    state = offices["a"].parent.parent  # type: ignore[union-attr]
    return make_user("supervisor_a", Role.STATE_SUPERVISOR, state)


@pytest.fixture
def auditor(offices: dict[str, Jurisdiction], make_user: MakeUser) -> User:
    return make_user("auditor", Role.AUDITOR, offices["country"])


@pytest.fixture
def outsider(make_user: MakeUser) -> User:
    return make_user("outsider")


NAMES = {
    "mx": [
        ("Ana Sofía", "Ramírez", "Núñez"),
        ("Juan Pablo", "Peña", "O'Farrill"),
        ("Ximena", "de la Cruz", "Ávila"),
        ("Carlos", "Hernández", "García"),
    ],
    "kr": [("서연", "김", ""), ("민준", "이", ""), ("지우", "박", ""), ("도윤", "최", "")],
}


@pytest.fixture
def birth_data(
    profile: CountryProfile, offices: dict[str, Jurisdiction]
) -> Callable[..., dict[str, Any]]:
    municipality = offices["a"].parent
    assert municipality is not None
    state = municipality.parent
    assert state is not None

    def make(index: int = 0, **overrides: Any) -> dict[str, Any]:
        given, first, second = NAMES[profile.code][index % len(NAMES[profile.code])]
        data: dict[str, Any] = {
            "given_names": given,
            "first_surname": first,
            "sex": "F" if index % 2 == 0 else "M",
            "birth_date": (dt.date.today() - dt.timedelta(days=10 + index)).isoformat(),
            "birth_state": state.official_code,
            "birth_municipality": municipality.official_code,
            "birth_place_type": "hospital",
            "declarant_relationship": "mother",
            "mother_given_names": "Laura" if profile.code == "mx" else "수진",
        }
        if profile.code == "mx":
            data["second_surname"] = second
            data["mother_first_surname"] = "López"
        data.update(overrides)
        return {k: v for k, v in data.items() if v is not None}

    return make


@pytest.fixture
def api_client() -> Callable[[User], Client]:
    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


def idem() -> dict[str, str]:
    return {"HTTP_IDEMPOTENCY_KEY": uuid.uuid4().hex}
