"""Persons written straight into the register, for tests that need many of them."""

from __future__ import annotations

import datetime as dt
import uuid

from ventanilla.core.models import Jurisdiction
from ventanilla.registry.models import Person, PersonSource
from ventanilla.registry.people import search_name


def imported_person(
    jurisdiction: Jurisdiction,
    given_names: str,
    first_surname: str,
    second_surname: str = "",
    *,
    born: dt.date,
    pk: uuid.UUID | None = None,
) -> Person:
    """An unsaved woman of the register, as a legacy import leaves her (no match keys, no
    national ID): give a list of them to `Person.objects.bulk_create`."""
    person = Person(
        given_names=given_names,
        first_surname=first_surname,
        second_surname=second_surname,
        sex="F",
        birth_date=born,
        jurisdiction=jurisdiction,
        source=PersonSource.IMPORT,
        search_name=search_name(given_names, first_surname, second_surname),
    )
    if pk is not None:
        person.id = pk
    return person
