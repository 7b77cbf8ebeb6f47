"""What the browser tests do again and again: sign in, fill a profile form, check accessibility."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django_otp.oath import totp
from playwright.sync_api import Page

from ventanilla.core.profiles import EventTypeSpec

PASSWORD = "correct-horse-battery"  # the personas' password (ventanilla/conftest.py)
AXE_SCRIPT = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = ("serious", "critical")


def axe_check(page: Page) -> None:
    """Run axe-core on the page; fail listing every serious or critical violation."""
    page.add_script_tag(path=str(AXE_SCRIPT))
    violations: list[dict[str, Any]] = page.evaluate(
        """async () => {
            const results = await axe.run(document, {resultTypes: ["violations"]});
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ")),
            }));
        }"""
    )
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"accessibility violations on {page.url}:\n" + json.dumps(
        blocking, indent=2, ensure_ascii=False
    )


def current_code(key: str) -> str:
    return f"{totp(bytes.fromhex(key)):06d}"


def sign_in(page: Page, username: str, *, key: str | None = None, check: bool = False) -> None:
    """Sign in through the form (with the authenticator code for officials)."""
    page.goto("/sign-in/")
    if check:
        axe_check(page)
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    if key is not None:
        page.fill("#id_token", current_code(key))
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "/sign-in/" not in page.url, page.inner_text("main")


def fill_profile_form(page: Page, spec: EventTypeSpec, data: dict[str, Any]) -> None:
    """Type a declaration into the form generated from the profile's field list."""
    for field in spec.fields:
        if field.name not in data:
            continue
        value = data[field.name]
        selector = f"#id_{field.name}"
        if field.type in ("choice", "state", "municipality"):
            page.select_option(selector, str(value))
        elif field.type == "bool":
            # Through its label, as a person does: the USWDS input is drawn off-screen.
            # Playwright reads the box's state through the label and clicks only if needed.
            page.locator(f"main label[for='id_{field.name}']").set_checked(bool(value))
        else:
            page.fill(selector, str(value))
