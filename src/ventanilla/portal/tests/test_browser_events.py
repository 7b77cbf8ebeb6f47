"""The other vital events in a real browser: a marriage validated and registered and then
closed by a divorce; a child recognised and then adopted, and the adoption revoked.

Persons are typed into the forms by their national ID as the person's page shows it, and
the outcome is read where an official reads it: on the record and in the persons' family.
Every page a test visits gets the accessibility check. Texts are asserted in the profile's
default language (Spanish (Mexico) or Korean).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import formats, timezone, translation
from playwright.sync_api import Locator, Page, expect

from ventanilla.core.models import User
from ventanilla.core.profiles import CountryProfile
from ventanilla.portal.tests.helpers import axe_check, fill_profile_form, sign_in
from ventanilla.registry import identity, services
from ventanilla.registry.models import ParentKind, ParentLink, Person, Union, VitalRecord

pytestmark = pytest.mark.browser

BirthData = Callable[..., dict[str, Any]]
TotpKey = Callable[[User], str]
RECORD_URL = re.compile(r"/office/records/(?P<id>[0-9a-f-]{36})/$")

#: What the pages say, in each profile's default language.
TEXT: dict[str, dict[str, str]] = {
    "mx": {
        "declared": "Declarado",
        "validated": "Validado",
        "registered": "Registrado",
        "revoked": "Revocado",
        "marriage": "Matrimonio",
        "divorce": "Divorcio",
        "recognition": "Reconocimiento de hijo",
        "adoption": "Adopción",
        "saved": "La declaración quedó guardada.",
        "validated_done": "La declaración fue validada.",
        "registered_done": "El acta quedó registrada con el número {number}.",
        "revoked_done": "El registro fue revocado.",
        "revoke": "Revocar",
        "reinstate": "Restablecer",
        "required": "Este campo es obligatorio.",
        "too_young": "Esta persona no tiene la edad mínima para contraer matrimonio.",
        "parent_after_child": "El padre o la madre debe haber nacido antes que el hijo.",
        "married_on": "casados el {date}",
        "dissolved_on": "disuelto el {date}",
        "by_recognition": "Por reconocimiento",
        "by_adoption": "Por adopción",
        "ended": "sin efecto",
        "no_marriages": "No hay matrimonios en el registro.",
        "no_parents": "No hay padres en el registro.",
    },
    "kr": {
        "declared": "신고됨",
        "validated": "검토됨",
        "registered": "등록됨",
        "revoked": "취소됨",
        "marriage": "혼인",
        "divorce": "이혼",
        "recognition": "인지",
        "adoption": "입양",
        "saved": "신고가 저장되었습니다.",
        "validated_done": "신고 검토를 마쳤습니다.",
        "registered_done": "기록이 {number} 번호로 등록되었습니다.",
        "revoked_done": "등록을 취소했습니다.",
        "revoke": "등록 취소",
        "reinstate": "복원",
        "required": "필수 항목입니다.",
        "too_young": "이 사람은 혼인 적령에 이르지 않았습니다.",
        "parent_after_child": "부모는 자녀보다 먼저 태어났어야 합니다.",
        "married_on": "{date} 혼인",
        "dissolved_on": "{date} 해소",
        "by_recognition": "인지",
        "by_adoption": "입양",
        "ended": "효력 없음",
        "no_marriages": "등록부에 혼인 기록이 없습니다.",
        "no_parents": "등록부에 부모가 없습니다.",
    },
}
#: The parts of each form that differ between the profiles (choices, and fields one has).
MARRIAGE_CHOICES: dict[str, dict[str, Any]] = {
    "mx": {"property_regime": "separacion_de_bienes"},
    "kr": {"property_agreement": True},
}
DIVORCE_CHOICES: dict[str, dict[str, str]] = {
    "mx": {"divorce_kind": "administrative"},
    "kr": {"divorce_kind": "consensual"},
}
# A full adoption in both: in Mexico every adoption is one, and it ends the earlier parentage.
ADOPTION_CHOICES: dict[str, dict[str, str]] = {"mx": {}, "kr": {"adoption_kind": "full"}}


def _t(profile: CountryProfile, key: str, **values: str) -> str:
    return TEXT[profile.code][key].format(**values)


def _days_ago(days: int) -> dt.date:
    """A date as the registry counts days: in the deployment's time zone."""
    return timezone.localdate() - dt.timedelta(days=days)


def _person_born(actor: User, data: dict[str, Any]) -> Person:
    """A person of the register, by a registered birth (so with a national ID)."""
    record = services.record_declare(actor=actor, event_type="birth", data=data)
    record = services.record_register(actor=actor, record_id=record.pk)
    assert record.subject_id is not None
    person = Person.objects.get(pk=record.subject_id)
    assert person.national_id
    return person


def _shown_id(person: Person) -> str:
    """The national ID as the person's page shows it, which is what an official types."""
    assert person.national_id
    return identity.scheme().format(person.national_id)


def _shown_date(page: Page, day: dt.date) -> str:
    with translation.override(page.locator("html").get_attribute("lang")):
        return str(formats.date_format(day, "SHORT_DATE_FORMAT"))


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


def _action_form(page: Page, record_id: str, action: str) -> Locator:
    return page.locator(f"main form[action='/office/records/{record_id}/{action}/']")


def _act(page: Page, record_id: str, action: str) -> None:
    """Press an action's button on the record's page (one that asks for no reason)."""
    with page.expect_navigation():
        _action_form(page, record_id, action).locator("button").click()


def _family(page: Page, section: int) -> Locator:
    """The entries of the person's family: 1 parents, 2 children, 3 marriages."""
    return page.locator(f"main h3:nth-of-type({section}) + ul.usa-list > li")


def _entry_for(page: Page, section: int, person: Person) -> Locator:
    return _family(page, section).filter(
        has=page.locator(f"a[href='/office/persons/{person.pk}/']")
    )


def _record_row(page: Page, record_id: str) -> Locator:
    """The row of a record in the person's table of records."""
    return page.locator("main table.usa-table:not(.vt-journal) tbody tr").filter(
        has=page.locator(f"th a[href='/office/records/{record_id}/']")
    )


def _fill(page: Page, profile: CountryProfile, event_type: str, data: dict[str, Any]) -> None:
    """Type a declaration into the open form; a box the data ticks is then seen ticked."""
    spec = profile.event_type(event_type)
    fill_profile_form(page, spec, data)
    for name in sorted({f.name for f in spec.fields if f.type == "bool"} & data.keys()):
        expect(page.locator(f"#id_{name}")).to_be_checked(checked=bool(data[name]))


def _declare(page: Page, profile: CountryProfile, event_type: str, data: dict[str, Any]) -> str:
    """Fill and send the declaration form already open; returns the new record's id."""
    _fill(page, profile, event_type, data)
    _submit(page)
    match = RECORD_URL.search(page.url)
    assert match, page.inner_text("main")
    expect(page.locator("main h1")).to_contain_text(_t(profile, event_type))
    expect(_status_tag(page)).to_have_text(_t(profile, "declared"))
    expect(_done(page)).to_have_text(_t(profile, "saved"))
    return match["id"]


def _register(page: Page, profile: CountryProfile, record_id: str) -> VitalRecord:
    _act(page, record_id, "register")
    record = VitalRecord.objects.get(pk=record_id)
    assert record.status == "registered" and record.registration_number
    expect(_done(page)).to_have_text(
        _t(profile, "registered_done", number=record.registration_number)
    )
    expect(_status_tag(page)).to_have_text(_t(profile, "registered"))
    expect(_action_form(page, record_id, "register")).to_have_count(0)
    return record


# --------------------------------------------------------------------------------------------
# 1. A marriage, validated and registered, and the divorce that closes it
# --------------------------------------------------------------------------------------------


def test_a_marriage_is_validated_and_registered_and_a_divorce_closes_it(
    page: Page,
    registrar: User,
    totp_key: TotpKey,
    birth_data: BirthData,
    profile: CountryProfile,
) -> None:
    birth = birth_data(0)
    place = {"state": birth["birth_state"], "municipality": birth["birth_municipality"]}
    spouse_a = _person_born(registrar, birth_data(0, birth_date=_days_ago(30 * 365).isoformat()))
    spouse_b = _person_born(registrar, birth_data(1, birth_date=_days_ago(33 * 365).isoformat()))
    minor = _person_born(registrar, birth_data(2, birth_date=_days_ago(17 * 365).isoformat()))
    married_on, divorced_on = _days_ago(40), _days_ago(3)
    sign_in(page, registrar.username, key=totp_key(registrar))

    # Declaring: a person under the minimum age is refused on their field.
    page.goto("/office/declare/")
    with page.expect_navigation():
        page.click("main a[href='/office/declare/marriage/']")
    axe_check(page)
    marriage = {
        "spouse_a": _shown_id(minor),
        "spouse_b": _shown_id(spouse_b),
        "marriage_date": married_on.isoformat(),
        "marriage_state": place["state"],
        "marriage_municipality": place["municipality"],
        **MARRIAGE_CHOICES[profile.code],
    }
    _fill(page, profile, "marriage", marriage)
    _submit(page)
    expect(page.locator("#error-summary")).to_contain_text(_t(profile, "too_young"))
    expect(page.locator("#id_spouse_a-error")).to_have_text(_t(profile, "too_young"))
    expect(page.locator("#id_spouse_b")).to_have_value(_shown_id(spouse_b))
    axe_check(page)
    assert not VitalRecord.objects.filter(event_type="marriage").exists()

    page.fill("#id_spouse_a", _shown_id(spouse_a))
    marriage_id = _declare(page, profile, "marriage", {})
    facts = page.locator("main dl.vt-facts").nth(1)
    for spouse in (spouse_a, spouse_b):
        expect(facts.locator(f"a[href='/office/persons/{spouse.pk}/']")).to_have_count(1)
    axe_check(page)

    # Validating: the record moves on in review, and can still be registered.
    _act(page, marriage_id, "validate")
    expect(_done(page)).to_have_text(_t(profile, "validated_done"))
    expect(_status_tag(page)).to_have_text(_t(profile, "validated"))
    expect(_journal_row(page, _t(profile, "validated"))).to_have_count(1)
    expect(_action_form(page, marriage_id, "validate")).to_have_count(0)
    expect(_action_form(page, marriage_id, "register")).to_have_count(1)
    axe_check(page)
    page.goto("/office/")
    queued = page.locator("table.vt-queue tbody tr").filter(
        has=page.locator(f"a[href='/office/records/{marriage_id}/']")
    )
    expect(queued.locator("td[data-label]").nth(1)).to_have_text(_t(profile, "validated"))
    axe_check(page)
    with page.expect_navigation():
        queued.locator("a").click()

    registered = _register(page, profile, marriage_id)
    assert registered.subject_id == spouse_a.pk
    # What was typed (and ticked) before the refusal was kept.
    declared = {k: v for k, v in marriage.items() if not k.startswith("spouse_")}
    assert {k: registered.data[k] for k in declared} == declared
    axe_check(page)

    # Each spouse's family shows the other, married on the declared date.
    married_text = _t(profile, "married_on", date=_shown_date(page, married_on))
    with page.expect_navigation():
        page.click(f"main dl.vt-facts a[href='/office/persons/{spouse_a.pk}/']")
    union = _entry_for(page, 3, spouse_b)
    expect(union).to_have_count(1)
    expect(union).to_contain_text(spouse_b.full_name)
    expect(union).to_contain_text(married_text)
    expect(union).not_to_contain_text(_t(profile, "dissolved_on", date="").strip())
    expect(_record_row(page, marriage_id).locator("td").nth(1)).to_have_text(
        _t(profile, "registered")
    )
    axe_check(page)
    with page.expect_navigation():
        union.locator("a").click()
    expect(page.locator("main h1")).to_contain_text(spouse_b.full_name)
    expect(_entry_for(page, 3, spouse_a)).to_contain_text(married_text)
    axe_check(page)

    # The divorce, registered straight from the declaration, closes that marriage.
    page.goto("/office/declare/divorce/")
    axe_check(page)
    divorce = {
        "spouse_a": _shown_id(spouse_a),
        "spouse_b": _shown_id(spouse_b),
        "marriage_record_ref": registered.registration_number,
        "divorce_date": divorced_on.isoformat(),
        "court_order_number": "123/2024",
        "divorce_municipality": place["municipality"],
        **DIVORCE_CHOICES[profile.code],
    }
    divorce_id = _declare(page, profile, "divorce", divorce)
    expect(page.locator("main dl.vt-facts").nth(1)).to_contain_text(
        str(registered.registration_number)
    )
    axe_check(page)
    _register(page, profile, divorce_id)
    axe_check(page)

    dissolved_text = _t(profile, "dissolved_on", date=_shown_date(page, divorced_on))
    for person, spouse in ((spouse_a, spouse_b), (spouse_b, spouse_a)):
        page.goto(f"/office/persons/{person.pk}/")
        union = _entry_for(page, 3, spouse)
        expect(union).to_have_count(1)
        expect(union).to_contain_text(married_text)
        expect(union).to_contain_text(dissolved_text)
        for record_id in (marriage_id, divorce_id):
            expect(_record_row(page, record_id).locator("td").nth(1)).to_have_text(
                _t(profile, "registered")
            )
        axe_check(page)
    closed = Union.objects.get(marriage_record=registered)
    assert closed.dissolved_on == divorced_on and str(closed.divorce_record_id) == divorce_id

    # The minor, refused, was married to nobody.
    page.goto(f"/office/persons/{minor.pk}/")
    expect(page.locator("main")).to_contain_text(_t(profile, "no_marriages"))


# --------------------------------------------------------------------------------------------
# 2. A child recognised, then adopted; the adoption revoked
# --------------------------------------------------------------------------------------------


def test_a_child_is_recognised_and_adopted_and_revoking_the_adoption_restores_the_parent(
    page: Page,
    registrar: User,
    office_head: User,
    totp_key: TotpKey,
    birth_data: BirthData,
    profile: CountryProfile,
) -> None:
    place = birth_data(0)["birth_municipality"]
    child = _person_born(registrar, birth_data(2))  # born 12 days ago, no parent in the register
    father = _person_born(registrar, birth_data(1, birth_date=_days_ago(31 * 365).isoformat()))
    adopter = _person_born(registrar, birth_data(3, birth_date=_days_ago(40 * 365).isoformat()))
    reason = (
        "La sentencia de adopción fue anulada" if profile.code == "mx" else "입양 허가 취소 심판"
    )
    sign_in(page, registrar.username, key=totp_key(registrar))

    page.goto(f"/office/persons/{child.pk}/")
    expect(page.locator("main")).to_contain_text(_t(profile, "no_parents"))

    # Recognition: the child and the parent typed the wrong way round are refused.
    page.goto("/office/declare/")
    with page.expect_navigation():
        page.click("main a[href='/office/declare/recognition/']")
    axe_check(page)
    recognition = {
        "child": _shown_id(father),
        "recognising_parent": _shown_id(child),
        "recognition_date": _days_ago(5).isoformat(),
        "recognition_kind": "voluntary",
        "recognition_municipality": place,
    }
    _fill(page, profile, "recognition", recognition)
    _submit(page)
    expect(page.locator("#id_recognising_parent-error")).to_have_text(
        _t(profile, "parent_after_child")
    )
    axe_check(page)
    page.fill("#id_child", _shown_id(child))
    page.fill("#id_recognising_parent", _shown_id(father))
    recognition_id = _declare(page, profile, "recognition", {})
    axe_check(page)
    _register(page, profile, recognition_id)
    axe_check(page)

    with page.expect_navigation():
        page.click(f"main dl.vt-facts a[href='/office/persons/{child.pk}/']")
    by_father = _entry_for(page, 1, father)
    expect(_family(page, 1)).to_have_count(1)
    expect(by_father).to_contain_text(f"{father.full_name} ({_t(profile, 'by_recognition')})")
    expect(by_father).not_to_contain_text(_t(profile, "ended"))
    axe_check(page)
    with page.expect_navigation():
        by_father.locator("a").click()
    expect(_entry_for(page, 2, child)).to_contain_text(_t(profile, "by_recognition"))
    axe_check(page)

    # Adoption: the adopter becomes the parent, and the full adoption ends the recognition.
    page.goto("/office/declare/adoption/")
    axe_check(page)
    adoption = {
        "child": _shown_id(child),
        "adoptive_parent_a": _shown_id(adopter),
        "court_order_number": "456/2025",
        "adoption_date": _days_ago(2).isoformat(),
        "adoption_municipality": place,
        **ADOPTION_CHOICES[profile.code],
    }
    adoption_id = _declare(page, profile, "adoption", adoption)
    axe_check(page)
    _register(page, profile, adoption_id)
    axe_check(page)

    ended_link = f"a[href='/office/records/{adoption_id}/']"
    page.goto(f"/office/persons/{child.pk}/")
    by_adopter = _entry_for(page, 1, adopter)
    expect(by_adopter).to_contain_text(f"{adopter.full_name} ({_t(profile, 'by_adoption')})")
    expect(by_adopter).not_to_contain_text(_t(profile, "ended"))
    by_father = _entry_for(page, 1, father)
    expect(by_father.locator(ended_link)).to_have_text(_t(profile, "ended"))
    expect(_record_row(page, adoption_id).locator("td").nth(1)).to_have_text(
        _t(profile, "registered")
    )
    axe_check(page)
    page.goto(f"/office/persons/{adopter.pk}/")
    expect(_entry_for(page, 2, child)).to_contain_text(
        f"{child.full_name} ({_t(profile, 'by_adoption')})"
    )
    axe_check(page)

    # Revoking is for the head of the office, and must say why.
    with page.expect_navigation():
        page.click("nav form[action='/sign-out/'] button")
    sign_in(page, office_head.username, key=totp_key(office_head))
    page.goto(f"/office/records/{adoption_id}/")
    revoke = page.locator("details.vt-action").filter(
        has=page.locator(f"form[action='/office/records/{adoption_id}/revoke/']")
    )
    revoke.locator("summary").click()
    expect(revoke.locator("summary")).to_have_text(_t(profile, "revoke"))
    axe_check(page)
    _submit(page, f"form[action='/office/records/{adoption_id}/revoke/'] button[type=submit]")
    expect(page.locator("#id_revoke_reason-error")).to_have_text(_t(profile, "required"))
    axe_check(page)
    assert VitalRecord.objects.get(pk=adoption_id).status == "registered"
    page.fill("#id_revoke_reason", reason)
    _submit(page)
    assert RECORD_URL.search(page.url), page.url
    expect(_done(page)).to_have_text(_t(profile, "revoked_done"))
    expect(_status_tag(page)).to_have_text(_t(profile, "revoked"))
    expect(_journal_row(page, _t(profile, "revoked"))).to_contain_text(reason)
    # All that is left to do with it is to reinstate it.
    summaries = page.locator("main .vt-actions summary")
    expect(summaries).to_have_count(1)
    expect(summaries).to_have_text(_t(profile, "reinstate"))
    axe_check(page)

    # The adopter is no longer the child's parent; the recognising father is again.
    with page.expect_navigation():
        page.click(f"main dl.vt-facts a[href='/office/persons/{child.pk}/']")
    expect(_entry_for(page, 1, adopter).locator(ended_link)).to_have_text(_t(profile, "ended"))
    expect(_entry_for(page, 1, father)).to_contain_text(_t(profile, "by_recognition"))
    expect(_entry_for(page, 1, father)).not_to_contain_text(_t(profile, "ended"))
    expect(_record_row(page, adoption_id).locator("td").nth(1)).to_have_text(_t(profile, "revoked"))
    expect(_journal_row(page, _t(profile, "revoked"))).to_contain_text(reason)
    axe_check(page)
    in_force = ParentLink.objects.filter(child=child, ended_by__isnull=True)
    assert list(in_force.values_list("parent_id", "kind")) == [(father.pk, ParentKind.RECOGNITION)]
