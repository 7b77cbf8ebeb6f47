"""Back-office record flows in a real browser: correcting, rejecting and what follows, a
person's history, refused declarations, the second factor and jurisdiction limits.

Every page a test visits gets the accessibility check. Texts are asserted in the profile's
default language (Spanish (Mexico) or Korean), as the official reads them.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from django_otp.oath import totp
from playwright.sync_api import Locator, Page, expect

from ventanilla.core.models import User
from ventanilla.core.profiles import CountryProfile
from ventanilla.portal.tests.helpers import (
    PASSWORD,
    axe_check,
    current_code,
    fill_profile_form,
    sign_in,
)
from ventanilla.registry import services
from ventanilla.registry.models import Person, RecordAction, VitalRecord

pytestmark = pytest.mark.browser

BirthData = Callable[..., dict[str, Any]]
TotpKey = Callable[[User], str]
RECORD_URL = re.compile(r"/office/records/(?P<id>[0-9a-f-]{36})/$")

#: What the pages say, in each profile's default language.
TEXT: dict[str, dict[str, str]] = {
    "mx": {
        "declared": "Declarado",
        "registered": "Registrado",
        "rejected": "Rechazado",
        "archived": "Archivado",
        "deceased": "Fallecido",
        "corrected": "Corregido",
        "reinstate": "Restablecer",
        "resubmit": "Volver a presentar",
        "reject": "Rechazar",
        "archive": "Archivar",
        "birth": "Nacimiento",
        "death": "Defunción",
        "given_names": "Nombre(s)",
        "review_queue": "Bandeja de revisión",
        "check_form": "Revise el formulario",
        "required": "Este campo es obligatorio.",
        "no_change": "La corrección no cambia nada.",
        "corrected_done": "La corrección quedó guardada en el historial del registro.",
        "rejected_done": "La declaración fue rechazada.",
        "resubmitted_done": "La declaración se presentó de nuevo.",
        "archived_done": "El registro fue archivado.",
        "reinstated_done": "El registro fue restablecido.",
        "future": "La fecha no puede ser futura.",
        "death_before_birth": "La fecha de defunción es anterior a la de nacimiento.",
        "refused": "El usuario, la contraseña o el código no son correctos.",
        "code_needed": "Escriba el código de seis dígitos de su aplicación de autenticación.",
        "forbidden_title": "No puede hacer esto aquí",
        "forbidden": "No tiene permiso para hacer esto aquí.",
        "nobody": "Nadie de su jurisdicción coincide. Pruebe con menos criterios.",
    },
    "kr": {
        "declared": "신고됨",
        "registered": "등록됨",
        "rejected": "반려됨",
        "archived": "보관됨",
        "deceased": "사망",
        "corrected": "정정됨",
        "reinstate": "복원",
        "resubmit": "다시 신고",
        "reject": "반려",
        "archive": "보관",
        "birth": "출생",
        "death": "사망",
        "given_names": "이름",
        "review_queue": "검토 대기 목록",
        "check_form": "입력 내용을 확인하십시오",
        "required": "필수 항목입니다.",
        "no_change": "정정 내용이 없습니다.",
        "corrected_done": "정정 내용이 기록의 이력에 저장되었습니다.",
        "rejected_done": "신고를 반려했습니다.",
        "resubmitted_done": "신고를 다시 제출했습니다.",
        "archived_done": "기록을 보관했습니다.",
        "reinstated_done": "기록을 복원했습니다.",
        "future": "미래의 날짜는 입력할 수 없습니다.",
        "death_before_birth": "사망일이 출생일보다 앞섭니다.",
        "refused": "아이디, 비밀번호 또는 인증 코드가 올바르지 않습니다.",
        "code_needed": "인증 앱에 표시된 6자리 코드를 입력하십시오.",
        "forbidden_title": "이 작업을 할 수 없습니다",
        "forbidden": "이 관할에서는 이 작업을 할 권한이 없습니다.",
        "nobody": "관할 구역에 일치하는 사람이 없습니다. 조건을 줄여 보십시오.",
    },
}
#: A corrected given name: a real name of the profile's script, different from birth_data(0)'s.
CORRECTED_GIVEN_NAMES = {"mx": "Ana Lucía", "kr": "서윤"}
#: A death declaration apart from the deceased and the date (the profiles' choices differ).
DEATH_CHOICES = {
    "mx": {"death_place_type": "hospital", "manner": "natural", "declarant_relationship": "spouse"},
    "kr": {
        "death_place_type": "medical_institution",
        "manner": "disease",
        "declarant_relationship": "relative",
    },
}


def _t(profile: CountryProfile, key: str) -> str:
    return TEXT[profile.code][key]


def _registered(actor: User, data: dict[str, Any]) -> VitalRecord:
    record = services.record_declare(actor=actor, event_type="birth", data=data)
    return services.record_register(actor=actor, record_id=record.pk)


def _days_ago(days: int) -> str:
    """A date as the registry counts days: in the deployment's time zone."""
    return (timezone.localdate() - dt.timedelta(days=days)).isoformat()


def _death_data(
    profile: CountryProfile, birth: dict[str, Any], deceased: str, death_date: str
) -> dict[str, Any]:
    return {
        "deceased": deceased,
        "death_date": death_date,
        "death_state": birth["birth_state"],
        "death_municipality": birth["birth_municipality"],
        **DEATH_CHOICES[profile.code],
    }


def _status_tag(page: Page) -> Locator:
    return page.locator("main h1 .vt-status")


def _done(page: Page) -> Locator:
    return page.locator("main [role=status]")


def _journal_row(page: Page, action_label: str) -> Locator:
    """The history rows whose action cell is exactly `action_label`."""
    return page.locator("table.vt-journal tbody tr").filter(
        has=page.locator("td[data-label]", has_text=re.compile(f"^{re.escape(action_label)}$"))
    )


def _submit(page: Page, selector: str = "main form.usa-form button[type=submit]") -> None:
    with page.expect_navigation():
        page.click(selector)


# --------------------------------------------------------------------------------------------
# 1. Correcting a registered record
# --------------------------------------------------------------------------------------------


def test_a_registrar_corrects_a_registered_birth_and_the_history_keeps_the_old_value(
    page: Page,
    registrar: User,
    totp_key: TotpKey,
    birth_data: BirthData,
    profile: CountryProfile,
) -> None:
    data = birth_data(0)
    record = _registered(registrar, data)
    old, new = data["given_names"], CORRECTED_GIVEN_NAMES[profile.code]
    reason = "Error de captura en el acta" if profile.code == "mx" else "신고서 기재 착오"
    sign_in(page, registrar.username, key=totp_key(registrar))

    page.goto(f"/office/records/{record.pk}/")
    expect(_status_tag(page)).to_have_text(_t(profile, "registered"))
    axe_check(page)
    with page.expect_navigation():
        page.click(f"main a[href='/office/records/{record.pk}/correct/']")
    # The form starts from the record's current values.
    expect(page.locator("#id_given_names")).to_have_value(old)
    expect(page.locator("#id_first_surname")).to_have_value(data["first_surname"])
    axe_check(page)

    # A reason alone, with nothing changed, is refused.
    page.fill("#id_reason", reason)
    _submit(page)
    expect(page.locator("#error-summary")).to_contain_text(_t(profile, "check_form"))
    expect(page.locator("#error-summary")).to_contain_text(_t(profile, "no_change"))
    axe_check(page)

    # A new value without a reason is refused too, and what was typed stays in the form.
    page.fill("#id_given_names", new)
    page.fill("#id_reason", "")
    _submit(page)
    expect(page.locator("#id_reason-error")).to_have_text(_t(profile, "required"))
    expect(page.locator("#id_given_names")).to_have_value(new)
    axe_check(page)
    record.refresh_from_db()
    assert record.data["given_names"] == old

    page.fill("#id_reason", reason)
    _submit(page)
    assert RECORD_URL.search(page.url), page.url
    expect(_done(page)).to_have_text(_t(profile, "corrected_done"))
    expect(_status_tag(page)).to_have_text(_t(profile, "registered"))
    declared = page.locator("main dl.vt-facts").nth(1)
    expect(declared).to_contain_text(new)
    expect(declared).not_to_contain_text(old)
    correction = _journal_row(page, _t(profile, "corrected"))
    expect(correction).to_have_count(1)
    expect(correction).to_contain_text(reason)
    expect(correction).to_contain_text(f"{_t(profile, 'given_names')}: {old} → {new}")
    axe_check(page)

    # Nothing already written was changed: the declaration still holds the old name.
    created = RecordAction.objects.get(record=record, action="create")
    assert created.payload["data"]["given_names"] == old
    record.refresh_from_db()
    assert record.data["given_names"] == new and record.registration_number

    # The person in the register carries the new name, and their history the old one.
    with page.expect_navigation():
        page.click(f"main dl.vt-facts a[href='/office/persons/{record.subject_id}/']")
    expect(page.locator("main h1")).to_contain_text(new)
    expect(_journal_row(page, _t(profile, "corrected"))).to_contain_text(f"{old} → {new}")
    axe_check(page)


# --------------------------------------------------------------------------------------------
# 2. Rejecting a declaration, and what can follow
# --------------------------------------------------------------------------------------------


def test_a_rejected_declaration_leaves_the_queue_and_comes_back_when_resubmitted(
    page: Page,
    registrar: User,
    totp_key: TotpKey,
    birth_data: BirthData,
    profile: CountryProfile,
) -> None:
    record = services.record_declare(actor=registrar, event_type="birth", data=birth_data(3))
    reason = "Falta el certificado de nacimiento" if profile.code == "mx" else "출생증명서 누락"
    link = f"main table a[href='/office/records/{record.pk}/']"
    sign_in(page, registrar.username, key=totp_key(registrar))

    page.goto("/office/")
    row = page.locator("table.vt-queue tbody tr").filter(
        has=page.locator(f"a[href='/office/records/{record.pk}/']")
    )
    expect(row.locator("td[data-label]").nth(1)).to_have_text(_t(profile, "declared"))
    axe_check(page)
    with page.expect_navigation():
        page.click(link)
    expect(_status_tag(page)).to_have_text(_t(profile, "declared"))
    axe_check(page)

    # The reject form opens in place; sent without a reason, it asks for one on its own page.
    reject = page.locator("details.vt-action").filter(
        has=page.locator(f"form[action='/office/records/{record.pk}/reject/']")
    )
    reject.locator("summary").click()
    expect(reject.locator("#id_reject_reason")).to_be_visible()
    axe_check(page)
    _submit(page, f"form[action='/office/records/{record.pk}/reject/'] button[type=submit]")
    expect(page.locator("#error-summary")).to_contain_text(_t(profile, "check_form"))
    expect(page.locator("#id_reject_reason-error")).to_have_text(_t(profile, "required"))
    axe_check(page)
    record.refresh_from_db()
    assert record.status == "declared"

    page.fill("#id_reject_reason", reason)
    _submit(page)
    assert RECORD_URL.search(page.url), page.url
    expect(_done(page)).to_have_text(_t(profile, "rejected_done"))
    expect(_status_tag(page)).to_have_text(_t(profile, "rejected"))
    rejection = _journal_row(page, _t(profile, "rejected"))
    expect(rejection).to_contain_text(reason)
    # What the page offers now: resubmit or archive, no longer reject or register.
    actions = page.locator("main .vt-actions")
    expect(actions.get_by_role("button", name=_t(profile, "resubmit"), exact=True)).to_be_visible()
    expect(actions.locator("summary", has_text=_t(profile, "archive"))).to_be_visible()
    expect(actions.locator(f"form[action='/office/records/{record.pk}/reject/']")).to_have_count(0)
    expect(actions.locator(f"form[action='/office/records/{record.pk}/register/']")).to_have_count(
        0
    )
    axe_check(page)
    record.refresh_from_db()
    assert record.status == "rejected"

    page.goto("/office/")
    expect(page.locator(link)).to_have_count(0)
    axe_check(page)

    page.goto(f"/office/records/{record.pk}/")
    _submit(page, f"form[action='/office/records/{record.pk}/resubmit/'] button[type=submit]")
    expect(_done(page)).to_have_text(_t(profile, "resubmitted_done"))
    expect(_status_tag(page)).to_have_text(_t(profile, "declared"))
    axe_check(page)
    page.goto("/office/")
    expect(page.locator(link)).to_be_visible()
    axe_check(page)


def test_a_rejected_declaration_is_archived_and_then_reinstated(
    page: Page,
    registrar: User,
    office_head: User,
    totp_key: TotpKey,
    birth_data: BirthData,
    profile: CountryProfile,
) -> None:
    record = services.record_declare(actor=registrar, event_type="birth", data=birth_data(2))
    services.record_reject(actor=registrar, record_id=record.pk, reason="Duplicada en papel")
    archive_reason = "No se volvió a presentar" if profile.code == "mx" else "재신고 없음"
    reinstate_reason = "Se presentó el documento" if profile.code == "mx" else "서류 제출됨"
    sign_in(page, registrar.username, key=totp_key(registrar))

    page.goto(f"/office/records/{record.pk}/")
    expect(_status_tag(page)).to_have_text(_t(profile, "rejected"))
    page.locator("details.vt-action summary", has_text=_t(profile, "archive")).click()
    page.fill("#id_archive_reason", archive_reason)
    axe_check(page)
    _submit(page, f"form[action='/office/records/{record.pk}/archive/'] button[type=submit]")
    expect(_done(page)).to_have_text(_t(profile, "archived_done"))
    expect(_status_tag(page)).to_have_text(_t(profile, "archived"))
    expect(_journal_row(page, _t(profile, "archived"))).to_contain_text(archive_reason)
    # An archived record can only be reinstated, and only by the head of the office.
    expect(page.locator("main .vt-actions")).to_have_count(0)
    axe_check(page)
    record.refresh_from_db()
    assert record.status == "archived"

    with page.expect_navigation():
        page.click("nav form[action='/sign-out/'] button")
    sign_in(page, office_head.username, key=totp_key(office_head))
    page.goto(f"/office/records/{record.pk}/")
    expect(_status_tag(page)).to_have_text(_t(profile, "archived"))
    summaries = page.locator("main .vt-actions summary")
    expect(summaries).to_have_count(1)
    expect(summaries).to_have_text(_t(profile, "reinstate"))
    expect(page.locator("main .vt-actions form")).to_have_count(1)
    summaries.click()
    axe_check(page)
    page.fill("#id_reinstate_reason", reinstate_reason)
    _submit(page, f"form[action='/office/records/{record.pk}/reinstate/'] button[type=submit]")
    expect(_done(page)).to_have_text(_t(profile, "reinstated_done"))
    expect(_status_tag(page)).to_have_text(_t(profile, "rejected"))
    expect(page.locator("table.vt-journal")).to_contain_text(reinstate_reason)
    axe_check(page)
    record.refresh_from_db()
    assert record.status == "rejected"


# --------------------------------------------------------------------------------------------
# 3. A person's history
# --------------------------------------------------------------------------------------------


def test_a_person_s_history_shows_their_birth_and_death(
    page: Page,
    registrar: User,
    totp_key: TotpKey,
    birth_data: BirthData,
    profile: CountryProfile,
) -> None:
    data = birth_data(1, birth_date=_days_ago(400))
    birth = _registered(registrar, data)
    assert birth.subject_id is not None
    death_date = _days_ago(5)
    death = services.record_declare(
        actor=registrar,
        event_type="death",
        data=_death_data(profile, data, str(birth.subject_id), death_date),
    )
    death = services.record_register(actor=registrar, record_id=death.pk)
    sign_in(page, registrar.username, key=totp_key(registrar))

    page.goto("/office/search/")
    page.fill("#id_name", f"{data['given_names']} {data['first_surname']}")
    _submit(page, "main form[role=search] button[type=submit]")
    result = page.locator("table.vt-results tbody tr").filter(
        has=page.locator(f"a[href='/office/persons/{birth.subject_id}/']")
    )
    expect(result).to_have_count(1)
    expect(result.locator("td").last).to_have_text(_t(profile, "deceased"))
    axe_check(page)
    with page.expect_navigation():
        result.locator("a").click()

    expect(page.locator("main h1")).to_contain_text(data["given_names"])
    expect(page.locator("main h1 + p .usa-tag")).to_have_text(_t(profile, "deceased"))
    records = page.locator("main table.usa-table:not(.vt-journal) tbody tr")
    expect(records).to_have_count(2)
    for row, record, event in ((0, birth, "birth"), (1, death, "death")):
        cells = records.nth(row)
        expect(cells.locator("th a")).to_have_text(_t(profile, event))
        expect(cells.locator("td").nth(1)).to_have_text(_t(profile, "registered"))
        expect(cells.locator("td").nth(2)).to_have_text(str(record.registration_number))
    # The history lists every action on both records, each linked to its record.
    journal = page.locator("table.vt-journal tbody tr")
    registered = _journal_row(page, _t(profile, "registered"))
    expect(registered.locator(f"a[href='/office/records/{birth.pk}/']")).to_have_count(1)
    expect(registered.locator(f"a[href='/office/records/{death.pk}/']")).to_have_count(1)
    expect(journal.filter(has_text=str(death.registration_number))).to_have_count(1)
    axe_check(page)

    # From the death record back to the person.
    with page.expect_navigation():
        page.click(f"main table.usa-table:not(.vt-journal) a[href='/office/records/{death.pk}/']")
    expect(page.locator("main h1")).to_contain_text(_t(profile, "death"))
    axe_check(page)
    with page.expect_navigation():
        page.click(f"main dl.vt-facts a[href='/office/persons/{birth.subject_id}/']")
    expect(page.locator("main h1")).to_contain_text(data["given_names"])


# --------------------------------------------------------------------------------------------
# 4. Bad input in the declaration form
# --------------------------------------------------------------------------------------------


def test_a_birth_in_the_future_is_refused_and_names_are_kept_as_typed(
    page: Page,
    registrar: User,
    totp_key: TotpKey,
    birth_data: BirthData,
    profile: CountryProfile,
) -> None:
    if profile.code == "mx":
        names = {
            "given_names": "María José",
            "first_surname": "Peña",
            "second_surname": "O'Farrill",
        }
    else:
        names = {"given_names": "민준", "first_surname": "이", "given_names_roman": "Min-jun"}
    tomorrow = _days_ago(-1)
    data = birth_data(1, birth_date=tomorrow, **names)
    typed = dict(data)
    # Typed as some keyboards and pastes send them: letters and their accents apart, Hangul
    # syllables as jamo (NFD); 민준 is then six code points against a limit of five letters.
    typed.update({k: unicodedata.normalize("NFD", v) for k, v in names.items()})
    sign_in(page, registrar.username, key=totp_key(registrar))

    page.goto("/office/declare/birth/")
    fill_profile_form(page, profile.event_type("birth"), typed)
    _submit(page)
    expect(page.locator("#error-summary")).to_contain_text(_t(profile, "check_form"))
    expect(page.locator("#id_birth_date-error")).to_have_text(_t(profile, "future"))
    expect(page.locator("#id_birth_date")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_first_surname")).to_have_value(typed["first_surname"])
    axe_check(page)
    assert not VitalRecord.objects.exists()
    assert not Person.objects.exists()

    page.fill("#id_birth_date", _days_ago(3))
    _submit(page)
    match = RECORD_URL.search(page.url)
    assert match, page.url
    expect(_status_tag(page)).to_have_text(_t(profile, "declared"))
    declared = page.locator("main dl.vt-facts").nth(1)
    for value in names.values():
        expect(declared).to_contain_text(value)
    axe_check(page)
    record = VitalRecord.objects.get(pk=match["id"])
    for name, value in names.items():
        assert record.data[name] == unicodedata.normalize("NFC", value)


def test_a_death_before_the_birth_is_refused_and_nothing_is_written(
    page: Page,
    registrar: User,
    totp_key: TotpKey,
    birth_data: BirthData,
    profile: CountryProfile,
) -> None:
    data = birth_data(0)  # born 10 days ago
    birth = _registered(registrar, data)
    assert birth.subject_id is not None
    person = Person.objects.get(pk=birth.subject_id)
    assert person.national_id
    records_before = VitalRecord.objects.count()
    actions_before = RecordAction.objects.count()
    sign_in(page, registrar.username, key=totp_key(registrar))

    page.goto("/office/declare/")
    with page.expect_navigation():
        page.click("a[href='/office/declare/death/']")
    axe_check(page)
    death = _death_data(profile, data, person.national_id, _days_ago(20))
    fill_profile_form(page, profile.event_type("death"), death)
    _submit(page)
    expect(page.locator("#error-summary")).to_contain_text(_t(profile, "death_before_birth"))
    expect(page.locator("#id_death_date-error")).to_have_text(_t(profile, "death_before_birth"))
    expect(page.locator("#id_deceased")).to_have_value(person.national_id)
    axe_check(page)
    assert VitalRecord.objects.count() == records_before
    assert RecordAction.objects.count() == actions_before
    person.refresh_from_db()
    assert person.status == "alive" and person.death_date is None

    page.fill("#id_death_date", _days_ago(2))
    _submit(page)
    assert RECORD_URL.search(page.url), page.url
    expect(page.locator("main h1")).to_contain_text(_t(profile, "death"))
    expect(_status_tag(page)).to_have_text(_t(profile, "declared"))
    axe_check(page)
    assert VitalRecord.objects.filter(event_type="death").count() == 1


# --------------------------------------------------------------------------------------------
# 5. The second factor
# --------------------------------------------------------------------------------------------


def _wrong_code(key: str) -> str:
    """A six-digit code that the authenticator does not show now, nor a few steps around."""
    near = {f"{totp(bytes.fromhex(key), drift=drift):06d}" for drift in range(-3, 4)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in near)


def test_an_official_with_a_wrong_code_is_refused_and_then_signs_in(
    page: Page, registrar: User, totp_key: TotpKey, profile: CountryProfile
) -> None:
    key = totp_key(registrar)
    page.goto("/office/")
    assert "/sign-in/" in page.url
    alert = page.locator("main [role=alert]")

    def attempt(code: str) -> None:
        page.fill("#id_username", registrar.username)
        page.fill("#id_password", PASSWORD)
        page.fill("#id_token", code)
        with page.expect_navigation():
            page.click("main form button[type=submit]")

    attempt(_wrong_code(key))
    assert "/sign-in/" in page.url
    expect(alert).to_have_text(_t(profile, "refused"))
    expect(page.locator("nav a[href='/sign-in/']")).to_be_visible()
    axe_check(page)

    attempt("")
    expect(alert).to_have_text(_t(profile, "code_needed"))
    axe_check(page)

    # django-otp holds the device back for a second after a wrong code; a person retyping
    # takes longer than that.
    page.wait_for_timeout(1_500)
    attempt(current_code(key))
    assert page.url.endswith("/office/"), page.url
    expect(page.locator("main h1")).to_have_text(_t(profile, "review_queue"))
    expect(page.locator("nav a[href='/sign-in/']")).to_have_count(0)
    axe_check(page)


# --------------------------------------------------------------------------------------------
# 6. Outside one's jurisdiction
# --------------------------------------------------------------------------------------------


def test_a_registrar_of_another_municipality_gets_a_refusal_not_the_data(
    page: Page,
    registrar: User,
    registrar_b: User,
    totp_key: TotpKey,
    birth_data: BirthData,
    profile: CountryProfile,
) -> None:
    data = birth_data(0)
    registered = _registered(registrar, data)
    declared = services.record_declare(actor=registrar, event_type="birth", data=birth_data(3))
    sign_in(page, registrar_b.username, key=totp_key(registrar_b))

    for url in (
        f"/office/records/{registered.pk}/",
        f"/office/persons/{registered.subject_id}/",
        f"/office/records/{registered.pk}/correct/",
        f"/office/records/{declared.pk}/",
    ):
        response = page.goto(url)
        assert response is not None and response.status == 403, url
        expect(page.locator("main h1")).to_have_text(_t(profile, "forbidden_title"))
        expect(page.locator("main [role=alert]")).to_have_text(_t(profile, "forbidden"))
        expect(page.locator("main")).not_to_contain_text(data["given_names"])
        axe_check(page)

    # Even the form of an action on the other office's declaration is refused.
    response = page.goto(f"/office/records/{declared.pk}/reject/")
    assert response is not None and response.status == 403
    expect(page.locator("main [role=alert]")).to_have_text(_t(profile, "forbidden"))
    expect(page.locator("#id_reject_reason")).to_have_count(0)
    axe_check(page)
    declared.refresh_from_db()
    assert declared.status == "declared"

    # Their search does not find the other municipality's people.
    page.goto("/office/search/")
    page.fill("#id_name", f"{data['given_names']} {data['first_surname']}")
    _submit(page, "main form[role=search] button[type=submit]")
    expect(page.locator("table.vt-results tbody")).to_have_text(_t(profile, "nobody"))
    axe_check(page)
