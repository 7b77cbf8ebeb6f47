"""Assigning national IDs: the profile's scheme proposes, the database's unique index decides.

Variants (the CURP homonym character, the RRN serial) are tried in order;
taken ones are skipped with one query per batch, and a race lost to another
registration is caught by the unique constraint: a new person's insert skips a taken ID
(``ON CONFLICT DO NOTHING``), an existing person's update fails inside a savepoint.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from collections.abc import Callable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from ventanilla.core import rows
from ventanilla.core.country import current_profile
from ventanilla.core.errors import Conflict, ValidationFailed
from ventanilla.registry.idschemes import IdScheme, IdSubject, InvalidIdError, get_scheme
from ventanilla.registry.models import Person

BATCH = 10


def scheme() -> IdScheme:
    """The profile's scheme, keyed with this deployment's secret (see `IdScheme.keyed`)."""
    return get_scheme(current_profile().id_scheme).keyed(_serial_key(settings.SECRET_KEY))


@functools.lru_cache(maxsize=4)
def _serial_key(secret: str) -> bytes:
    # Derived, not the secret itself, so the ID scheme never holds the signing key.
    return hmac.new(secret.encode(), b"ventanilla/id-serials", hashlib.sha256).digest()


def subject_for(person: Person, *, birth_state: str) -> IdSubject:
    profile = current_profile()
    foreign = birth_state == profile.foreign_state_id_code
    id_state = ""
    if not foreign and birth_state:
        try:
            id_state = profile.state(birth_state).id_code
        except KeyError:
            raise ValidationFailed(fields={"birth_state": [_("Unknown state.")]}) from None
    if person.birth_date is None:
        raise ValidationFailed(fields={"birth_date": [_("A national ID needs the birth date.")]})
    return IdSubject(
        given_names=person.given_names,
        first_surname=person.first_surname,
        second_surname=person.second_surname,
        birth_date=person.birth_date,
        sex=person.sex,
        birth_state=(profile.foreign_state_id_code or "") if foreign else id_state,
        foreign=foreign,
    )


def _claim_first_free(person: Person, birth_state: str, claim: Callable[[str], bool]) -> str:
    """Try the scheme's proposals for `person` in order and `claim` the first free one.

    `claim` writes the proposal and says whether it got it: a proposal that another
    registration holds (or took a moment ago) moves on to the next one. The first proposal
    is tried at once, since it is rarely taken (see `IdScheme.first_variant`); after it, the
    taken ones are asked for in batches."""
    id_scheme = scheme()
    try:
        subject = subject_for(person, birth_state=birth_state)
        available = id_scheme.variants_for(subject)
        first = id_scheme.first_variant(subject)
        if available and claim(id_scheme.propose(subject, first)):
            return _assigned(person)
        for start in range(1, available, BATCH):
            proposals = [
                id_scheme.propose(subject, (first + k) % available)
                for k in range(start, min(start + BATCH, available))
            ]
            taken = set(
                Person.objects.filter(national_id__in=proposals).values_list(
                    "national_id", flat=True
                )
            )
            for proposal in proposals:
                if proposal not in taken and claim(proposal):
                    return _assigned(person)
    except InvalidIdError as exc:
        raise ValidationFailed(
            _("The national ID cannot be formed from these data."), code=f"id_{exc.code}"
        ) from None
    raise Conflict(_("Every national ID for these data is taken."), code="id_space_exhausted")


def _assigned(person: Person) -> str:
    assert person.national_id is not None  # set by the claim that succeeded
    return person.national_id


def assign_national_id(person: Person, *, birth_state: str) -> str:
    """Give a person already in the register the first free national ID for their data."""

    def claim(proposal: str) -> bool:
        try:
            with transaction.atomic():
                Person.objects.filter(pk=person.pk).update(national_id=proposal)
        except IntegrityError:
            if Person.objects.filter(national_id=proposal).exists():
                return False
            raise  # another constraint
        person.national_id = proposal
        return True

    return _claim_first_free(person, birth_state, claim)


def insert_with_national_id(person: Person, *, birth_state: str) -> str:
    """Insert a new (unsaved) person together with the first free national ID."""

    def claim(proposal: str) -> bool:
        person.national_id = proposal
        if rows.insert(person, skip_if_taken="national_id"):
            return True
        person.national_id = None
        return False

    return _claim_first_free(person, birth_state, claim)


def reassign_if_changed(person: Person, *, birth_state: str) -> None:
    """After an amendment, keep the ID if it still encodes the data; otherwise assign anew."""
    current = person.national_id
    subject = subject_for(person, birth_state=birth_state)
    if current:
        try:
            if scheme().encodes(subject, current):
                return
        except InvalidIdError:
            pass  # the corrected data cannot be encoded: assigning anew says so
    Person.objects.filter(pk=person.pk).update(national_id=None)
    person.national_id = None
    assign_national_id(person, birth_state=birth_state)
