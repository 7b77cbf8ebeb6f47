"""Print the current authenticator code of the demo accounts (demo deployments only)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp

from ventanilla.registry.management.commands.setup_demo import DEMO_TOTP_KEY


class Command(BaseCommand):
    help = "Print the demo accounts' current TOTP code."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.ENVIRONMENT == "production":
            raise CommandError("Not available in production.")
        self.stdout.write(f"{totp(bytes.fromhex(DEMO_TOTP_KEY)):06d}")
