"""Prepare a demo deployment: jurisdictions, accounts for every role, and a population.

Refuses to run in production: the demo accounts have published passwords.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import Count
from django.db.models.functions import ExtractYear
from django.utils import timezone, translation
from django.utils.translation import gettext
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from ventanilla.core.country import current_profile
from ventanilla.core.jurisdictions import ensure_country, ensure_office, import_municipalities
from ventanilla.core.models import Jurisdiction, JurisdictionLevel, Role, RoleAssignment, User
from ventanilla.core.profiles import CountryProfile, demo_municipalities
from ventanilla.registry import services
from ventanilla.registry.birth_estimates import EstimateRow, save_estimates
from ventanilla.registry.models import Person

DEMO_PASSWORD = "ventanilla-demo-2026"  # noqa: S105 - published on purpose; demo refuses production
# A fixed secret so the printed code works with any authenticator app; demo only.
DEMO_TOTP_KEY = "3132333435363738393031323334353637383930"

HOME_MUNICIPALITY = {"mx": "09015", "kr": "11110"}
#: The demo's birth estimates cover this many years, up to the current one.
DEMO_ESTIMATE_YEARS = 15

ACCOUNTS: list[tuple[str, Role, str]] = [
    ("registrar", Role.REGISTRAR, "office"),
    ("agent", Role.AGENT, "office"),
    ("officehead", Role.OFFICE_HEAD, "office"),
    ("supervisor", Role.STATE_SUPERVISOR, "state"),
    ("admin", Role.NATIONAL_ADMIN, "country"),
    ("auditor", Role.AUDITOR, "country"),
]

DEMO_BIRTHS: dict[str, list[dict[str, Any]]] = {
    "mx": [
        {
            "given_names": "María Fernanda",
            "first_surname": "Hernández",
            "second_surname": "López",
            "sex": "F",
            "birth_date": "1988-03-14",
            "mother_given_names": "Guadalupe",
            "mother_first_surname": "López",
        },
        {
            "given_names": "José Luis",
            "first_surname": "García",
            "second_surname": "Martínez",
            "sex": "M",
            "birth_date": "1986-11-02",
            "mother_given_names": "Rosa",
            "mother_first_surname": "Martínez",
        },
        {
            "given_names": "Sofía",
            "first_surname": "García",
            "second_surname": "Hernández",
            "sex": "F",
            "birth_date": "2015-06-21",
            "mother": 0,
            "father": 1,
        },
    ],
    "kr": [
        {
            "given_names": "서연",
            "first_surname": "김",
            "sex": "F",
            "birth_date": "1988-03-14",
            "mother_given_names": "순자",
        },
        {
            "given_names": "민준",
            "first_surname": "이",
            "sex": "M",
            "birth_date": "1986-11-02",
            "mother_given_names": "영희",
        },
        {
            "given_names": "지우",
            "first_surname": "이",
            "sex": "F",
            "birth_date": "2015-06-21",
            "mother": 0,
            "father": 1,
        },
    ],
}


class Command(BaseCommand):
    help = "Create demo jurisdictions, accounts and records (not for production)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--persons", type=int, default=1000, help="size of the synthetic population to add"
        )
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.ENVIRONMENT == "production":
            raise CommandError("The demo has published passwords; it never runs in production.")
        profile = current_profile()
        country = ensure_country(profile)
        import_municipalities(profile, demo_municipalities(profile.code))
        for municipality in Jurisdiction.objects.filter(level=JurisdictionLevel.MUNICIPALITY):
            ensure_office(municipality, 1, f"{municipality.name} · 01")
        home = Jurisdiction.objects.get(
            level=JurisdictionLevel.MUNICIPALITY, official_code=HOME_MUNICIPALITY[profile.code]
        )
        office = Jurisdiction.objects.get(code=f"{home.code}-O01")
        scopes = {"office": office, "state": home.parent, "country": country}
        with transaction.atomic():
            for username, role, scope in ACCOUNTS:
                user = self._account(username)
                RoleAssignment.objects.get_or_create(
                    user=user, role=role, jurisdiction=scopes[scope]
                )
                TOTPDevice.objects.get_or_create(
                    user=user, name="demo", defaults={"key": DEMO_TOTP_KEY, "confirmed": True}
                )
        self._population(profile.code, office)
        if options["persons"] > 0:
            call_command(
                "seed_population",
                size=options["persons"],
                seed=options["seed"],
                skip_existing=True,
                stdout=self.stdout,
            )
        self._birth_estimates(profile)
        self._print_accounts()

    def _account(self, username: str) -> User:
        user, created = User.objects.get_or_create(username=username)
        if created:
            user.set_password(DEMO_PASSWORD)
            user.first_name = username.capitalize()
            user.save()
        return user

    def _population(self, profile_code: str, office: Jurisdiction) -> None:
        registrar = User.objects.get(username="registrar")
        if Person.objects.filter(account__username="citizen").exists():
            return
        municipality = office.parent
        assert municipality is not None and municipality.parent is not None
        created: list[Person] = []
        for spec in DEMO_BIRTHS[profile_code]:
            data = {k: v for k, v in spec.items() if k not in ("mother", "father")}
            data.update(
                birth_state=municipality.parent.official_code,
                birth_municipality=municipality.official_code,
                birth_place_type="hospital",
                declarant_relationship="mother",
            )
            for parent in ("mother", "father"):
                if parent in spec:
                    data[parent] = str(created[int(spec[parent])].pk)
            record = services.record_declare(
                actor=registrar, event_type="birth", data=data, office_code=office.code
            )
            for flag in record.duplicate_flags.all():
                services.duplicate_decide(
                    actor=registrar,
                    record_id=record.pk,
                    candidate_id=flag.candidate_id,
                    is_duplicate=False,
                )
            record = services.record_register(actor=registrar, record_id=record.pk)
            assert record.subject is not None
            created.append(record.subject)
        citizen = self._account("citizen")
        Person.objects.filter(pk=created[0].pk).update(account=citizen)
        # A near-duplicate declaration waiting in the queue, to show the side-by-side review.
        near = {
            k: v for k, v in DEMO_BIRTHS[profile_code][2].items() if k not in ("mother", "father")
        }
        near.update(
            birth_state=municipality.parent.official_code,
            birth_municipality=municipality.official_code,
            birth_place_type="hospital",
            declarant_relationship="mother",
            mother=str(created[0].pk),
        )
        agent = User.objects.get(username="agent")
        services.record_declare(actor=agent, event_type="birth", data=near, office_code=office.code)

    def _birth_estimates(self, profile: CountryProfile) -> None:
        """Expected births for the demo's states and municipalities, for the dashboard.

        Published estimates cannot ship with the demo, so each figure is counted from the demo
        population itself (its persons born in that place and year) and its source says it is
        a demo figure, never an official one.
        """
        last = timezone.localdate().year
        first = last - DEMO_ESTIMATE_YEARS + 1
        born = (
            Person.objects.filter(
                birth_place__level=JurisdictionLevel.MUNICIPALITY,
                birth_date__gte=dt.date(first, 1, 1),
                birth_date__lte=dt.date(last, 12, 31),
            )
            .values("birth_place_id", "birth_place__parent_id", year=ExtractYear("birth_date"))
            .annotate(births=Count("pk"))
            .order_by()
        )
        counts: Counter[tuple[int, int]] = Counter()
        for row in born:
            for place in (row["birth_place_id"], row["birth_place__parent_id"]):
                counts[(int(place), int(row["year"]))] += int(row["births"])
        # Stored as text, so in the deployment's own language, as its place names are.
        with translation.override(profile.default_language):
            source = gettext("Demo estimate: births of the demo population, not an official figure")
        created, updated, unchanged = save_estimates(
            EstimateRow(jurisdiction_id=place, year=year, expected_births=births, source=source)
            for (place, year), births in sorted(counts.items())
        )
        self.stdout.write(
            f"Demo birth estimates ({first}–{last}): {created} added, {updated} changed, "
            f"{unchanged} unchanged."
        )

    def _print_accounts(self) -> None:
        code = totp(bytes.fromhex(DEMO_TOTP_KEY))
        self.stdout.write("")
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD})")
        self.stdout.write("  citizen     – a citizen: my records, who looked at my data")
        for username, role, _scope in ACCOUNTS:
            self.stdout.write(f"  {username:<11} – {role.label}")
        self.stdout.write(
            "Officials also need the authenticator code: add the secret "
            f"{_base32(DEMO_TOTP_KEY)} to an authenticator app, or run "
            "`./ventanilla manage demo_totp` (the current code is %06d)." % code
        )


def _base32(hex_key: str) -> str:
    import base64

    return base64.b32encode(bytes.fromhex(hex_key)).decode()
