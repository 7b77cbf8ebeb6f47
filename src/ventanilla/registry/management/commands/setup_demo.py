"""Prepare a demo deployment: jurisdictions, accounts for every role, and a population.

Besides the synthetic population (imported persons, with no birth registration), the demo
declares and registers a few hundred births of the last three years (`registry.demo_births`),
so that the officials' dashboards have registrations to chart. Refuses to run in production:
the demo accounts have published passwords.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import Count
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from ventanilla.core.country import current_profile
from ventanilla.core.jurisdictions import ensure_country, ensure_office, import_municipalities
from ventanilla.core.models import Jurisdiction, JurisdictionLevel, Role, RoleAssignment, User
from ventanilla.core.permissions import Action, granting_assignment
from ventanilla.core.profiles import demo_municipalities
from ventanilla.registry import demo_births, services
from ventanilla.registry.birth_estimates import DEMO_SOURCE, EstimateRow, save_estimates
from ventanilla.registry.models import DuplicateDecision, Person, VitalRecord

DEMO_PASSWORD = "ventanilla-demo-2026"  # noqa: S105 - published on purpose; demo refuses production
# A fixed secret so the printed code works with any authenticator app; demo only.
DEMO_TOTP_KEY = "3132333435363738393031323334353637383930"

HOME_MUNICIPALITY = {"mx": "09015", "kr": "11110"}
#: The demo's birth estimates cover this many years, up to the current one.
DEMO_ESTIMATE_YEARS = 15
#: Recent births the demo declares and registers (see `registry.demo_births`).
DEMO_RECENT_BIRTHS = 300
#: Registers the recent births at the offices other than the registrar's; cannot sign in.
#: Its existence also says the recent births are in (they are written with it, at once).
OFFICES_REGISTRAR = "demo-registrars"

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
        parser.add_argument(
            "--births",
            type=int,
            default=DEMO_RECENT_BIRTHS,
            help="recent births to declare and register, spread over the last three years",
        )

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
        self._recent_births(profile.code, options["births"], options["seed"])
        self._birth_estimates()
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
            record = _register_birth(registrar, data, office.code)
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

    def _recent_births(self, profile_code: str, count: int, seed: int) -> None:
        """Declare and register `count` births of the last three years, today, at the offices
        of their birthplaces: the registrar at their own office, `OFFICES_REGISTRAR`
        elsewhere. Done once: a second run finds that account and adds nothing."""
        if count <= 0:
            return
        if User.objects.filter(username=OFFICES_REGISTRAR).exists():
            self.stdout.write("Recent births: already registered, none added.")
            return
        started = time.monotonic()
        births = demo_births.plan(
            profile_code,
            seed=seed,
            count=count,
            today=timezone.localdate(),
            home_code=HOME_MUNICIPALITY[profile_code],
        )
        offices = {
            office.parent.official_code: office
            for office in Jurisdiction.objects.filter(
                level=JurisdictionLevel.OFFICE,
                code__endswith="-O01",
                parent__official_code__in={b.municipality.code for b in births},
                parent__level=JurisdictionLevel.MUNICIPALITY,
            ).select_related("parent")
            if office.parent is not None
        }
        registrar = User.objects.get(username="registrar")
        delays: Counter[str] = Counter()
        late = 0
        with transaction.atomic():
            colleague = User(username=OFFICES_REGISTRAR, first_name="Demo registrars")
            colleague.set_unusable_password()
            colleague.save()
            actors: dict[str, User] = {}
            for code, office in offices.items():
                if granting_assignment(registrar, Action.RECORD_REGISTER, office) is not None:
                    actors[code] = registrar
                else:
                    RoleAssignment.objects.create(
                        user=colleague, role=Role.REGISTRAR, jurisdiction=office
                    )
                    actors[code] = colleague
            for birth in births:
                code = birth.municipality.code
                record = _register_birth(actors[code], birth.data, offices[code].code)
                delays[birth.delay] += 1
                late += record.late
        self.stdout.write(
            f"Recent births: {len(births)} declared and registered today in {len(offices)} "
            f"offices ({delays['within_month']} within a month of the birth, "
            f"{delays['within_year']} within a year, {delays['later']} later; {late} late "
            f"registrations) in {time.monotonic() - started:.1f} s."
        )

    def _birth_estimates(self) -> None:
        """Expected births for the demo's states and municipalities, for the dashboard.

        Published estimates cannot ship with the demo, so each figure is made up from the demo
        population (its persons born in that place and year, registered or imported, times a
        factor fixed per municipality, `demo_births.estimate_factor`) and its source says it
        is a demo figure, never an official one. A state's figure is its municipalities' sum.
        """
        last = timezone.localdate().year
        first = last - DEMO_ESTIMATE_YEARS + 1
        born = (
            Person.objects.filter(
                birth_place__level=JurisdictionLevel.MUNICIPALITY,
                birth_date__gte=dt.date(first, 1, 1),
                birth_date__lte=dt.date(last, 12, 31),
            )
            .values(
                "birth_place_id",
                "birth_place__official_code",
                "birth_place__parent_id",
                year=ExtractYear("birth_date"),
            )
            .annotate(births=Count("pk"))
            .order_by()
        )
        counts: Counter[tuple[int, int]] = Counter()
        for row in born:
            factor = demo_births.estimate_factor(str(row["birth_place__official_code"]))
            expected = max(1, int(int(row["births"]) * factor + 0.5))  # half up
            for place in (row["birth_place_id"], row["birth_place__parent_id"]):
                counts[(int(place), int(row["year"]))] += expected
        # Stored untranslated; the dashboard shows it in each reader's language.
        created, updated, unchanged = save_estimates(
            EstimateRow(
                jurisdiction_id=place, year=year, expected_births=births, source=DEMO_SOURCE
            )
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


def _register_birth(actor: User, data: dict[str, Any], office_code: str) -> VitalRecord:
    """Declare a birth and register it, as a registrar at the counter would: every possible
    duplicate looked at (these are all different children), and a late declaration checked
    (validated) before it is registered."""
    record = services.record_declare(
        actor=actor, event_type="birth", data=data, office_code=office_code
    )
    _not_duplicates(actor, record)
    if record.late:
        services.record_validate(actor=actor, record_id=record.pk)
    try:
        return services.record_register(actor=actor, record_id=record.pk)
    except services.DuplicatesPending:
        # Another child registered since the declaration looks alike: reviewed, then again.
        _not_duplicates(actor, record)
        return services.record_register(actor=actor, record_id=record.pk)


def _not_duplicates(actor: User, record: VitalRecord) -> None:
    for flag in record.duplicate_flags.filter(decision=DuplicateDecision.PENDING):
        services.duplicate_decide(
            actor=actor, record_id=record.pk, candidate_id=flag.candidate_id, is_duplicate=False
        )


def _base32(hex_key: str) -> str:
    import base64

    return base64.b32encode(bytes.fromhex(hex_key)).decode()
