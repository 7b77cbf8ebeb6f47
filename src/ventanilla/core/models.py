"""Models every system shares: jurisdictions, users and roles, the access log, idempotency."""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class JurisdictionLevel(models.TextChoices):
    COUNTRY = "country", _("Country")
    STATE = "state", _("State or province")
    MUNICIPALITY = "municipality", _("Municipality")
    OFFICE = "office", _("Registry office")


class Jurisdiction(models.Model):
    """A node of country → state → municipality → office.

    `path` holds the codes from the root down (``MX.09.09015.``) so that
    "inside my jurisdiction" is one indexed prefix comparison.
    """

    code = models.CharField(max_length=40, unique=True)
    level = models.CharField(max_length=16, choices=JurisdictionLevel.choices)
    name = models.CharField(max_length=200)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, unique=True)
    official_code = models.CharField(
        max_length=20, blank=True, db_comment="INEGI or legal-dong code of the division"
    )
    id_code = models.CharField(
        max_length=4, blank=True, db_comment="Code the national ID scheme uses for a state"
    )

    class Meta:
        ordering: ClassVar = ["path"]
        indexes: ClassVar = [models.Index(fields=["level", "official_code"])]

    def __str__(self) -> str:
        return self.name

    def contains(self, other: Jurisdiction) -> bool:
        return other.path.startswith(self.path)

    def ancestors_and_self(self) -> list[Jurisdiction]:
        chain: list[Jurisdiction] = []
        node: Jurisdiction | None = self
        while node is not None:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))


class Role(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")
    AGENT = "agent", _("Registration agent")
    REGISTRAR = "registrar", _("Registrar")
    OFFICE_HEAD = "office_head", _("Office head")
    STATE_SUPERVISOR = "state_supervisor", _("State supervisor")
    NATIONAL_ADMIN = "national_admin", _("National administrator")
    AUDITOR = "auditor", _("Auditor")


class User(AbstractUser):
    """Anyone who signs in. Officials hold role assignments; citizens are linked to a person."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    preferred_language = models.CharField(max_length=8, blank=True)


class RoleAssignment(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=24, choices=Role.choices)
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["user", "role", "jurisdiction"], name="unique_role_assignment"
            )
        ]

    def __str__(self) -> str:
        return f"{self.role}@{self.jurisdiction.code}"


class AccessKind(models.TextChoices):
    READ = "read", _("Read")
    SEARCH = "search", pgettext_lazy("access kind", "Search")
    EXPORT = "export", _("Export")
    CHANGE = "change", pgettext_lazy("access kind", "Change")
    DENIED = "denied", _("Attempt refused")


class AccessLogEntry(models.Model):
    """One read, search, export or change of personal data. Append-only and hash-chained.

    Only IDs are stored: the log says which persons were returned, never what.
    """

    at = models.DateTimeField()
    actor = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+")
    actor_role = models.CharField(max_length=24, blank=True)
    office = models.ForeignKey(Jurisdiction, null=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=AccessKind.choices)
    purpose = models.CharField(max_length=80, db_comment="Machine code of why the data was used")
    subject_ids = models.JSONField(default=list, db_comment="Sorted person IDs returned")
    request_id = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering: ClassVar = ["id"]
        # Pages of the log run newest first by (at, id): a date range then starts where it
        # begins in this index instead of after every newer row.
        indexes: ClassVar = [models.Index(fields=["at", "id"], name="access_log_at_id")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.purpose}@{self.at.isoformat()}"


class AccessLogSubject(models.Model):
    """Index from a person to the log entries that touched them ("who looked at my data")."""

    entry = models.ForeignKey(AccessLogEntry, on_delete=models.PROTECT, related_name="subjects")
    person_id = models.UUIDField()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["entry", "person_id"], name="unique_access_subject")
        ]
        # A person's entries newest first, read from the end of this index a page at a time.
        indexes: ClassVar = [
            models.Index(fields=["person_id", "entry"], name="access_subject_person_entry")
        ]


class AccessLogHead(models.Model):
    """A single row that serialises appends to the chain (locked with SELECT FOR UPDATE)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_hash = models.CharField(max_length=64)
    length = models.BigIntegerField(default=0)


class IdempotencyRecord(models.Model):
    """The first answer to a write, replayed when the same key comes again."""

    actor = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=128)
    scope = models.CharField(max_length=80)
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["actor", "key"], name="unique_idempotency_key")
        ]


class SignInFailure(models.Model):
    """Failed sign-ins, counted to slow down password guessing. Stores a hash, not the username."""

    username_hash = models.CharField(max_length=64, db_index=True)
    client = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField(db_index=True)


class JournalEntry(models.Model):
    """Base of every append-only action log (registry records, licence applications…).

    Each entry says who did what, when, from where and why; the record's status
    is derived from its entries through a `Workflow`.
    """

    seq = models.PositiveIntegerField()
    action = models.CharField(max_length=32)
    actor = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+")
    actor_role = models.CharField(max_length=24, blank=True)
    office = models.ForeignKey(Jurisdiction, null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    reason = models.TextField(blank=True)
    status_after = models.CharField(max_length=24)
    payload = models.JSONField(default=dict)

    class Meta:
        abstract = True
