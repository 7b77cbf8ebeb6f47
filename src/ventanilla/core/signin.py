"""Signing in: password, then a TOTP second factor for officials; failures are rate-limited.

This is the one interface the portal and back office call. The government
sign-in service (OpenID Connect) can later stand behind the same functions.
"""

from __future__ import annotations

import hashlib
import logging
import math
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate, login
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp import devices_for_user, match_token
from django_otp import login as otp_login

from ventanilla.core.errors import DomainError, TooManyRequests
from ventanilla.core.models import SignInFailure, User
from ventanilla.core.permissions import is_official

logger = logging.getLogger(__name__)


class SignInRefused(DomainError):
    status = 401
    code = "sign_in_refused"
    default_message = _("The username, password or code is not right.")


class SecondFactorRequired(DomainError):
    status = 401
    code = "second_factor_required"
    default_message = _("Enter the six-digit code from your authenticator app.")


def _username_hash(username: str) -> str:
    return hashlib.sha256(username.strip().lower().encode()).hexdigest()


def _client(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


def _too_many_failures(username_hash: str, client: str) -> bool:
    since = timezone.now() - timedelta(seconds=settings.SIGN_IN_FAILURE_WINDOW_SECONDS)
    recent = SignInFailure.objects.filter(at__gte=since)
    limit = settings.SIGN_IN_FAILURE_LIMIT
    # Per account, and a looser bound per client address against spraying many accounts.
    return (
        recent.filter(username_hash=username_hash).count() >= limit
        or recent.filter(client=client).count() >= limit * 4
    )


def _record_failure(username_hash: str, client: str) -> None:
    SignInFailure.objects.create(username_hash=username_hash, client=client, at=timezone.now())
    logger.info("sign-in refused", extra={"event": "sign_in_refused"})


def _refuse_while_throttled(user: User) -> None:
    """After a wrong code the authenticator devices refuse every code for a growing delay;
    say so, rather than calling a right code wrong (and counting it as a failure)."""
    waits = []
    for device in devices_for_user(user, confirmed=True):
        allowed, details = device.verify_is_allowed()
        locked_until = (details or {}).get("locked_until")
        if allowed:
            return  # one device can still check the code
        if locked_until is not None:
            waits.append(locked_until)
    if waits:
        seconds = max(1, math.ceil((min(waits) - timezone.now()).total_seconds()))
        raise TooManyRequests(
            ngettext(
                "Wait %(seconds)d second before entering the code again.",
                "Wait %(seconds)d seconds before entering the code again.",
                seconds,
            )
            % {"seconds": seconds},
            code="second_factor_throttled",
            retry_after=seconds,
        )


def sign_in(request: HttpRequest, *, username: str, password: str, token: str = "") -> User:
    """Check credentials and start a session; officials must also give a valid TOTP code."""
    username_hash = _username_hash(username)
    client = _client(request)
    if _too_many_failures(username_hash, client):
        raise TooManyRequests()
    user = authenticate(request, username=username, password=password)
    if not isinstance(user, User):
        _record_failure(username_hash, client)
        raise SignInRefused()
    device = None
    if is_official(user):
        if not token:
            raise SecondFactorRequired()
        _refuse_while_throttled(user)
        device = match_token(user, token.strip())
        if device is None:
            _record_failure(username_hash, client)
            raise SignInRefused()
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    if device is not None:
        otp_login(request, device)
    SignInFailure.objects.filter(username_hash=username_hash).delete()
    logger.info("signed in", extra={"event": "signed_in", "user_id": str(user.pk)})
    return user
