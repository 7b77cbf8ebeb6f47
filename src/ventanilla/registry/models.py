"""Persons, vital records (as action logs), family links and deduplication state."""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from ventanilla.core.country import current_profile
from ventanilla.core.models import JournalEntry, Jurisdiction


class Sex(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")
    UNSPECIFIED = "X", _("Non-binary")


class EventType(models.TextChoices):
    BIRTH = "birth", _("Birth")
    DEATH = "death", _("Death")
    MARRIAGE = "marriage", _("Marriage")
    DIVORCE = "divorce", _("Divorce")
    RECOGNITION = "recognition", _("Recognition of a child")
    ADOPTION = "adoption", _("Adoption")


class RecordStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    DECLARED = "declared", _("Declared")
    VALIDATED = "validated", _("Validated")
    REGISTERED = "registered", _("Registered")
    REJECTED = "rejected", _("Rejected")
    ARCHIVED = "archived", _("Archived")
    REVOKED = "revoked", _("Revoked")


class PersonStatus(models.TextChoices):
    ALIVE = "alive", _("Alive")
    DECEASED = "deceased", _("Deceased")
    VOID = "void", _("Registration revoked")


class PersonSource(models.TextChoices):
    BIRTH = "birth", _("Birth registration")
    IMPORT = "import", _("Legacy import")


class Person(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Unique through a named constraint rather than unique=True, which on PostgreSQL also
    # builds a pattern index that no query uses and every insert pays for.
    national_id = models.CharField(
        max_length=20, null=True, blank=True, db_comment="CURP or RRN; personal"
    )
    given_names = models.CharField(max_length=120, db_comment="personal")
    first_surname = models.CharField(max_length=120, db_comment="personal")
    second_surname = models.CharField(max_length=120, blank=True, db_comment="personal")
    romanised_name = models.CharField(max_length=200, blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices)
    birth_date = models.DateField(null=True, db_comment="personal")
    birth_place = models.ForeignKey(
        Jurisdiction, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        on_delete=models.PROTECT,
        related_name="+",
        db_comment="Where the person is registered; decides which officials may see them",
    )
    status = models.CharField(max_length=12, choices=PersonStatus.choices, default="alive")
    death_date = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=8, choices=PersonSource.choices)
    source_reference = models.CharField(
        max_length=80, blank=True, db_comment="Legacy register number, for idempotent imports"
    )
    # An imported death has no death record: the legacy death row that closed the person is
    # named here ("LEG-death-<legacy_id>", as imported records name theirs), so it can be
    # traced and a second row with that legacy ID recognised. A database default too: bulk
    # writers (COPY) that do not list the column still work.
    death_source_reference = models.CharField(
        max_length=80,
        blank=True,
        default="",
        db_default="",
        db_comment="Imported deaths: the legacy register's death record, for tracing and re-runs",
    )
    # Births registered here keep their registration date on the record (`registered_at`);
    # an imported birth has no record, so the old register's date is kept here, for the
    # dashboards' timeliness and completeness.
    registered_on = models.DateField(
        null=True,
        blank=True,
        db_comment="Imported births: the date the old register registered the birth",
    )
    # Searched through its trigram index (migration 0002); a B-tree would only slow inserts.
    search_name = models.CharField(max_length=400)
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["national_id"], name="unique_person_national_id"),
            models.CheckConstraint(
                condition=Q(death_date__isnull=True)
                | Q(birth_date__isnull=True)
                | Q(death_date__gte=F("birth_date")),
                name="person_death_after_birth",
            ),
            models.UniqueConstraint(
                fields=["source_reference"],
                condition=~Q(source_reference=""),
                name="unique_person_source_reference",
            ),
            models.UniqueConstraint(
                fields=["death_source_reference"],
                condition=~Q(death_source_reference=""),
                name="unique_person_death_source_reference",
            ),
        ]
        indexes: ClassVar = [models.Index(fields=["birth_date", "sex"])]

    def __str__(self) -> str:
        return str(self.id)

    @property
    def full_name(self) -> str:
        """The name as the country writes it: "Ana María López Pérez", "홍길동"."""
        return current_profile().names.display(
            {
                "given_names": self.given_names,
                "first_surname": self.first_surname,
                "second_surname": self.second_surname,
            }
        )


class ParentKind(models.TextChoices):
    BIRTH = "birth", _("By birth")
    RECOGNITION = "recognition", _("By recognition")
    ADOPTION = "adoption", _("By adoption")


class ParentLink(models.Model):
    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="parent_links")
    parent = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="child_links")
    kind = models.CharField(max_length=12, choices=ParentKind.choices)
    record = models.ForeignKey("VitalRecord", null=True, on_delete=models.PROTECT, related_name="+")
    ended_by = models.ForeignKey(
        "VitalRecord", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["child", "parent", "kind"], name="unique_parent_link"),
            models.CheckConstraint(condition=~Q(child=F("parent")), name="parent_not_self"),
        ]


class Union(models.Model):
    """A marriage between two persons; a divorce closes it, nothing deletes it."""

    spouse_a = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    spouse_b = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    married_on = models.DateField()
    marriage_record = models.ForeignKey("VitalRecord", on_delete=models.PROTECT, related_name="+")
    dissolved_on = models.DateField(null=True, blank=True)
    divorce_record = models.ForeignKey(
        "VitalRecord", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints: ClassVar = [
            models.CheckConstraint(condition=~Q(spouse_a=F("spouse_b")), name="union_two_persons"),
        ]


class VitalRecord(models.Model):
    """A declared vital event. Its truth is its action log; `status` and `data` are caches
    of that log, written only by `registry.services` in the same transaction as the action.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    event_type = models.CharField(max_length=12, choices=EventType.choices)
    status = models.CharField(max_length=12, choices=RecordStatus.choices)
    version = models.PositiveIntegerField(default=0)
    office = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="+")
    data = models.JSONField(default=dict, db_comment="personal")
    subject = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="records"
    )
    event_date = models.DateField(null=True)
    registration_number = models.CharField(max_length=40, unique=True, null=True, blank=True)
    registered_at = models.DateTimeField(null=True, blank=True)
    late = models.BooleanField(default=False)
    duplicates_pending = models.BooleanField(default=False)
    # A database default too: bulk writers (COPY) that do not list the column still work.
    source_reference = models.CharField(
        max_length=80,
        blank=True,
        default="",
        db_default="",
        db_comment="Legacy register record, for idempotent imports",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["source_reference"],
                condition=~Q(source_reference=""),
                name="unique_record_source_reference",
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["status", "office"]),
            models.Index(fields=["event_type", "registered_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.event_type}:{self.id}"


class RecordAction(JournalEntry):
    record = models.ForeignKey(VitalRecord, on_delete=models.PROTECT, related_name="actions")

    class Meta(JournalEntry.Meta):
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["record", "seq"], name="unique_record_action_seq"),
        ]
        ordering: ClassVar = ["record", "seq"]


class PersonParticipation(models.Model):
    """Which persons a record concerns besides its subject (parents, spouses…), for "my records"."""

    record = models.ForeignKey(VitalRecord, on_delete=models.CASCADE, related_name="participants")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="participations")
    role = models.CharField(max_length=24)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["record", "person", "role"], name="unique_participation"
            ),
        ]


class PersonMatchKey(models.Model):
    """Blocking keys for duplicate lookup: one indexed row per (key, person)."""

    key = models.CharField(max_length=64)
    # Derived data, written with its person in the same transaction and deleted with it by
    # the ORM: a database foreign key would only add a check per key row to every bulk load.
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="match_keys", db_constraint=False
    )

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["key", "person"], name="unique_match_key"),
        ]


class DuplicateDecision(models.TextChoices):
    PENDING = "pending", _("Waiting for review")
    DUPLICATE = "duplicate", _("Duplicate")
    NOT_DUPLICATE = "not_duplicate", _("Not a duplicate")


class DuplicateFlag(models.Model):
    record = models.ForeignKey(
        VitalRecord, on_delete=models.CASCADE, related_name="duplicate_flags"
    )
    candidate = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    score = models.FloatField()
    comparison = models.JSONField(default=dict)
    decision = models.CharField(
        max_length=16, choices=DuplicateDecision.choices, default=DuplicateDecision.PENDING
    )

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["record", "candidate"], name="unique_duplicate_flag"),
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=1), name="duplicate_score_range"
            ),
        ]
        ordering: ClassVar = ["-score"]


class RegistrationCounter(models.Model):
    """Per office and year, the last registration number handed out."""

    office = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["office", "year"], name="unique_counter"),
        ]


class ImportRun(models.Model):
    """A legacy CSV import: resumable from `rows_done`, idempotent by file digest."""

    file_digest = models.CharField(max_length=64)
    event_type = models.CharField(max_length=12, choices=EventType.choices)
    file_name = models.CharField(max_length=255)
    rows_done = models.PositiveBigIntegerField(default=0)
    rows_imported = models.PositiveBigIntegerField(default=0)
    rows_rejected = models.PositiveBigIntegerField(default=0)
    finished = models.BooleanField(default=False)
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["file_digest", "event_type"], name="unique_import_run"),
        ]


class ImportRejection(models.Model):
    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="rejections")
    row_number = models.PositiveBigIntegerField()
    field = models.CharField(max_length=64)
    error = models.CharField(max_length=64)
    message = models.CharField(max_length=255)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["run", "row_number", "field", "error"], name="unique_import_rejection"
            ),
        ]


class BirthEstimate(models.Model):
    """Births expected in a state or municipality in a year, from a published estimate.

    The denominator of registration completeness: registered births over expected births.
    `source` names where the figure comes from (CONAPO projections, KOSTAT, a demo figure…).
    """

    jurisdiction = models.ForeignKey(
        Jurisdiction,
        on_delete=models.PROTECT,
        related_name="+",
        db_comment="A state or a municipality",
    )
    year = models.PositiveSmallIntegerField()
    expected_births = models.PositiveIntegerField()
    source = models.CharField(max_length=200)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["jurisdiction", "year"], name="unique_birth_estimate"),
            models.CheckConstraint(
                condition=Q(expected_births__gt=0), name="birth_estimate_positive"
            ),
            models.CheckConstraint(
                condition=Q(year__gte=1900) & Q(year__lte=2100), name="birth_estimate_year_range"
            ),
        ]
        indexes: ClassVar = [models.Index(fields=["year"])]

    def __str__(self) -> str:
        return f"{self.jurisdiction_id}:{self.year}={self.expected_births}"
