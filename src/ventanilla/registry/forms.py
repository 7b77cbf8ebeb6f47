"""Back-office forms: the declaration form built from the country profile, and the small
forms of the record actions, duplicate review and search.

Forms only parse and check what a browser sent; every rule about the registry itself
lives in `registry.services`, whose `ValidationFailed` errors are put back on the
fields here (`add_domain_errors`).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from ventanilla.core.errors import DomainError, ValidationFailed
from ventanilla.core.models import Jurisdiction, JurisdictionLevel
from ventanilla.core.profiles import EventTypeSpec, FieldSpec
from ventanilla.registry.models import Sex

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

#: A translatable label for every field name any country profile uses.
FIELD_LABELS: dict[str, StrOrPromise] = {
    "given_names": _("Given names"),
    "first_surname": _("First surname"),
    "second_surname": _("Second surname"),
    "first_surname_roman": _("Surname in Latin letters"),
    "given_names_roman": _("Given names in Latin letters"),
    "clan_origin": _("Clan origin (bon-gwan)"),
    "sex": _("Sex"),
    "birth_date": _("Date of birth"),
    "birth_time": _("Time of birth (HH:MM)"),
    "birth_state": _("State of birth"),
    "birth_municipality": _("Municipality of birth"),
    "birth_place_type": _("Place of birth"),
    "mother": _("Mother (already in the register)"),
    "mother_given_names": _("Mother's given names"),
    "mother_first_surname": _("Mother's first surname"),
    "mother_second_surname": _("Mother's second surname"),
    "mother_birth_date": _("Mother's date of birth"),
    "father": _("Father (already in the register)"),
    "father_given_names": _("Father's given names"),
    "father_first_surname": _("Father's first surname"),
    "father_second_surname": _("Father's second surname"),
    "father_birth_date": _("Father's date of birth"),
    "declarant_relationship": _("Declarant's relationship"),
    "deceased": _("Deceased person"),
    "death_date": _("Date of death"),
    "death_time": _("Time of death (HH:MM)"),
    "death_state": _("State of death"),
    "death_municipality": _("Municipality of death"),
    "death_place_type": _("Place of death"),
    "death_certificate_folio": _("Death certificate number"),
    "cause_icd10": _("Cause of death (ICD-10 code)"),
    "manner": _("Manner of death"),
    "external_intent": _("Intent of an external cause"),
    "spouse_a": _("First spouse"),
    "spouse_b": _("Second spouse"),
    "marriage_date": _("Date of marriage"),
    "marriage_state": _("State of marriage"),
    "marriage_municipality": _("Municipality of marriage"),
    "property_regime": _("Property regime"),
    "children_take_mother_surname": _("Children will take the mother's surname"),
    "property_agreement": _("The spouses signed a property agreement"),
    "marriage_record_ref": _("Marriage registration number"),
    "divorce_date": _("Date of divorce"),
    "divorce_kind": _("Kind of divorce"),
    "court_order_number": _("Court order number"),
    "divorce_municipality": _("Municipality of divorce"),
    "child": _("Child"),
    "recognising_parent": _("Recognising parent"),
    "recognition_date": _("Date of recognition"),
    "recognition_kind": _("Kind of recognition"),
    "recognition_municipality": _("Municipality of recognition"),
    "adoptive_parent_a": _("First adoptive parent"),
    "adoptive_parent_b": _("Second adoptive parent"),
    "adoption_kind": _("Kind of adoption"),
    "adoption_date": _("Date of adoption"),
    "adoption_municipality": _("Municipality of adoption"),
}

#: A translatable label for every choice value any country profile uses.
CHOICE_LABELS: dict[str, StrOrPromise] = {
    # sex
    "F": Sex.FEMALE.label,
    "M": Sex.MALE.label,
    "X": Sex.UNSPECIFIED.label,
    # places
    "hospital": _("Hospital"),
    "home": _("Home"),
    "other": _("Other"),
    "public_place": _("Public place"),
    "workplace": _("Workplace"),
    "medical_institution": _("Medical institution"),
    "social_welfare_facility": _("Social welfare facility"),
    "public_facility": _("Public facility"),
    "road": _("Road"),
    "commercial_facility": _("Commercial or service facility"),
    "industrial_site": _("Industrial site"),
    "farm": _("Farm"),
    "in_transit_to_hospital": _("On the way to hospital"),
    # relationships
    "mother": _("Mother"),
    "father": _("Father"),
    "both_parents": _("Both parents"),
    "grandparent": _("Grandparent"),
    "other_relative": _("Other relative"),
    "cohabiting_relative": _("Relative living in the same household"),
    "birth_attendant": _("Doctor or midwife at the birth"),
    "spouse": _("Spouse"),
    "child": _("Child"),
    "parent": _("Parent"),
    "sibling": _("Sibling"),
    "relative": _("Relative"),
    "cohabitant": _("Person living in the same household"),
    "place_manager": _("Manager of the place of death"),
    # manner of death
    "natural": _("Natural"),
    "accident": _("Accident"),
    "homicide": _("Homicide"),
    "suicide": _("Suicide"),
    "undetermined": _("Undetermined"),
    "pending_investigation": _("Pending investigation"),
    "disease": _("Disease"),
    "external": _("External cause"),
    "other_unknown": _("Other or unknown"),
    "unintentional": _("Unintentional"),
    "unknown": _("Unknown"),
    # marriage, divorce, recognition, adoption
    "sociedad_conyugal": _("Community property"),
    "separacion_de_bienes": _("Separate property"),
    "administrative": _("Administrative"),
    "judicial": _("Judicial"),
    "consensual": _("By agreement"),
    "voluntary": _("Voluntary"),
    "general": _("General adoption"),
    "full": _("Full adoption"),
}


def field_label(name: str) -> str:
    """The label of a profile field in the active language."""
    return str(FIELD_LABELS.get(name, name.replace("_", " ").capitalize()))


def choice_label(value: str) -> str:
    """The label of a profile choice value in the active language."""
    return str(CHOICE_LABELS.get(value, value))


# --------------------------------------------------------------------------------------------
# Shared behaviour: USWDS classes and accessible error wiring
# --------------------------------------------------------------------------------------------

_WIDGET_CLASS = {
    forms.Select: "usa-select",
    forms.Textarea: "usa-textarea",
    forms.CheckboxInput: "usa-checkbox__input",
}


class UswdsForm(forms.Form):
    """Gives widgets their USWDS class and points an erroneous input at its error message."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()

    def style_widgets(self) -> None:
        """Add the USWDS class to every visible widget (again after adding fields)."""
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput):
                continue
            css = next((c for t, c in _WIDGET_CLASS.items() if isinstance(widget, t)), "usa-input")
            _add_class(widget, css)

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        for name in self.errors:
            if name not in self.fields:
                continue
            widget = self.fields[name].widget
            auto_id = self[name].auto_id
            described = [f"{auto_id}-error"]
            if self.fields[name].help_text:
                described.append(f"{auto_id}_helptext")
            widget.attrs["aria-describedby"] = " ".join(described)
            if not isinstance(widget, forms.CheckboxInput):
                _add_class(widget, "usa-input--error")

    def add_domain_errors(self, error: DomainError) -> None:
        """Put a service's field errors on the matching fields; anything else on the form."""
        placed = False
        for name, messages in error.fields.items():
            target = name if name in self.fields else None
            for message in messages:
                self.add_error(target, str(message))
                placed = True
        if not placed:
            self.add_error(None, str(error.message))

    def error_summary(self) -> list[tuple[str, str, str]]:
        """(anchor id, label, message) for the error summary at the top of the page."""
        found: list[tuple[str, str, str]] = []
        for name, errors in self.errors.items():
            if name in self.fields:
                bound = self[name]
                found.extend((str(bound.auto_id), str(bound.label), str(e)) for e in errors)
            else:
                found.extend(("", "", str(e)) for e in errors)
        return found


def _add_class(widget: forms.Widget, css: str) -> None:
    classes = str(widget.attrs.get("class", "")).split()
    if css not in classes:
        widget.attrs["class"] = " ".join([*classes, css])


def _token_field() -> forms.CharField:
    """The hidden key that makes sending a form twice do the work once."""
    return forms.CharField(label=_("Form reference"), widget=forms.HiddenInput, max_length=128)


def new_token() -> str:
    return uuid.uuid4().hex


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


# --------------------------------------------------------------------------------------------
# Declarations
# --------------------------------------------------------------------------------------------

#: Finds the persons a declaration names: (field → what was typed, the declaring office)
#: to field → register ID; raises `ValidationFailed` naming the fields it cannot resolve.
PersonLookup = Callable[[Mapping[str, str], Jurisdiction | None], dict[str, str]]


def state_choices() -> list[tuple[str, str]]:
    states = Jurisdiction.objects.filter(level=JurisdictionLevel.STATE).order_by("official_code")
    return [(s.official_code, s.name) for s in states]


def municipality_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Municipalities grouped by state, for a select with one option group per state."""
    groups: dict[str, tuple[str, list[tuple[str, str]]]] = {}
    rows = (
        Jurisdiction.objects.filter(level=JurisdictionLevel.MUNICIPALITY)
        .select_related("parent")
        .order_by("parent__official_code", "name")
    )
    for municipality in rows:
        state = municipality.parent
        key = state.official_code if state else ""
        label = state.name if state else ""
        groups.setdefault(key, (label, []))[1].append(
            (municipality.official_code, municipality.name)
        )
    return [groups[key] for key in sorted(groups)]


def _blank(label: StrOrPromise) -> list[tuple[str, Any]]:
    return [("", label)]


class ComposedTextField(forms.CharField):
    """Text in Unicode NFC before any check, so a name pasted with decomposed letters (Hangul
    jamo, combining accents) counts its characters as the register stores them."""

    #: A decomposed letter takes up to three code points (a Hangul syllable's jamo).
    DECOMPOSED_WIDTH: Final = 3

    def to_python(self, value: Any) -> str | None:
        text = super().to_python(value)
        return unicodedata.normalize("NFC", text) if isinstance(text, str) else text

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        # The browser counts code points before anything is composed: its limit must leave
        # room for a decomposed paste, which the server then measures composed.
        attrs = super().widget_attrs(widget)
        if self.max_length is not None and "maxlength" in attrs:
            attrs["maxlength"] = str(self.max_length * self.DECOMPOSED_WIDTH)
        return attrs


def profile_field(
    spec: FieldSpec,
    *,
    states: list[tuple[str, str]],
    municipalities: list[tuple[str, list[tuple[str, str]]]],
    id_label: str,
) -> forms.Field:
    """The Django form field for one field of the profile's event form."""
    label = field_label(spec.name)
    required = spec.required
    if spec.type == "text":
        return ComposedTextField(label=label, required=required, max_length=spec.max_length)
    if spec.type == "date":
        return forms.DateField(
            label=label, required=required, widget=DateInput(), input_formats=["%Y-%m-%d"]
        )
    if spec.type == "choice":
        options = [(c, choice_label(c)) for c in spec.choices]
        return forms.ChoiceField(
            label=label, required=required, choices=_blank(_("- Select -")) + options
        )
    if spec.type == "state":
        return forms.ChoiceField(
            label=label, required=required, choices=_blank(_("- Select -")) + states
        )
    if spec.type == "municipality":
        return forms.ChoiceField(
            label=label, required=required, choices=_blank(_("- Select -")) + municipalities
        )
    if spec.type == "person_ref":
        return forms.CharField(
            label=label,
            required=required,
            max_length=64,
            help_text=_("%(id)s or register number of a person already in the register.")
            % {"id": id_label},
            widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        )
    if spec.type == "bool":
        return forms.BooleanField(label=label, required=False)
    if spec.type == "int":
        return forms.IntegerField(label=label, required=required)
    raise ValueError(f"unknown field type {spec.type!r}")


def payload_value(spec: FieldSpec, value: Any) -> Any:
    """A cleaned form value as the services expect it (JSON: dates as ISO strings)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if spec.type == "bool":
        return bool(value)
    if value is None:
        return ""
    return value if isinstance(value, int) else str(value).strip()


class DeclarationForm(UswdsForm):
    """The form for one event type, generated from the profile's field list.

    A person reference may be typed as a national ID or as a register (UUID) number;
    both are resolved by `person_lookup` (`selectors.declaration_participants`: an exact,
    logged match across the whole register), at the office the declaration is made at.
    """

    def __init__(
        self,
        *args: Any,
        spec: EventTypeSpec,
        person_lookup: PersonLookup,
        id_label: str,
        offices: Iterable[Jurisdiction] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.spec = spec
        self.person_lookup = person_lookup
        office_list = list(offices)
        self.offices = {o.code: o for o in office_list}
        if len(office_list) > 1:
            self.fields["office"] = forms.ChoiceField(
                label=_("Registry office"),
                choices=_blank(_("- Select -")) + [(o.code, o.name) for o in office_list],
            )
        states = state_choices()
        municipalities = municipality_choices()
        for field_spec in spec.fields:
            self.fields[field_spec.name] = profile_field(
                field_spec, states=states, municipalities=municipalities, id_label=id_label
            )
        self.fields["token"] = _token_field()
        self.fields["token"].initial = new_token()
        self.style_widgets()

    def person_ref_fields(self) -> list[str]:
        return [f.name for f in self.spec.fields if f.type == "person_ref"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        typed = {
            name: str(cleaned[name]).strip()
            for name in self.person_ref_fields()
            if str(cleaned.get(name) or "").strip()
        }
        if typed:
            try:
                cleaned.update(self.person_lookup(typed, self._declaring_office(cleaned)))
            except ValidationFailed as exc:
                self.add_domain_errors(exc)
        return cleaned

    def _declaring_office(self, cleaned: Mapping[str, Any]) -> Jurisdiction | None:
        """The office chosen, or the actor's only one; None when not known yet."""
        if len(self.offices) == 1:
            return next(iter(self.offices.values()))
        return self.offices.get(str(cleaned.get("office") or ""))

    def payload(self, *, keep_empty: bool = False) -> dict[str, Any]:
        """The declaration data for `services.record_declare` (or, with `keep_empty`, the
        complete set of values for a correction, blanks included so a value can be removed)."""
        data: dict[str, Any] = {}
        for spec in self.spec.fields:
            value = payload_value(spec, self.cleaned_data.get(spec.name))
            if value == "" and not keep_empty:
                continue
            data[spec.name] = value
        return data

    @property
    def office_code(self) -> str | None:
        return self.cleaned_data.get("office") or None

    def field_groups(self) -> list[tuple[StrOrPromise, list[forms.BoundField]]]:
        """The profile fields in fieldsets: the person, then each parent or party."""
        groups: list[tuple[StrOrPromise, list[forms.BoundField]]] = []
        current: str | None = None
        for spec in self.spec.fields:
            group = _group_of(spec.name)
            if group != current:
                groups.append((GROUP_LABELS[group], []))
                current = group
            groups[-1][1].append(self[spec.name])
        return groups


GROUP_LABELS: dict[str, StrOrPromise] = {
    "event": _("The event"),
    "mother": _("Mother"),
    "father": _("Father"),
    "declarant": _("Declarant"),
}


def _group_of(name: str) -> str:
    for prefix in ("mother", "father"):
        if name == prefix or name.startswith(f"{prefix}_"):
            return prefix
    if name == "declarant_relationship":
        return "declarant"
    return "event"


class CorrectionForm(DeclarationForm):
    """The declaration form filled with a record's data, plus the reason for the correction."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"] = forms.CharField(
            label=_("Reason for the correction"),
            max_length=2000,
            widget=forms.Textarea(attrs={"rows": 3}),
            help_text=_("It is kept in the record's history."),
        )
        self.style_widgets()


def correction_initial(data: Mapping[str, Any]) -> dict[str, Any]:
    """A record's data as initial values of its correction form."""
    return {name: value for name, value in data.items() if value is not None}


# --------------------------------------------------------------------------------------------
# Record actions, duplicate review, search
# --------------------------------------------------------------------------------------------


class ActionForm(UswdsForm):
    """Confirms a workflow action; `reason_required` for those that must say why."""

    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("It is kept in the record's history."),
    )
    token = _token_field()

    def __init__(self, *args: Any, reason_required: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = reason_required
        self.fields["token"].initial = new_token()
        if not reason_required:
            del self.fields["reason"]

    @property
    def reason_text(self) -> str:
        return str(self.cleaned_data.get("reason") or "").strip()


class DuplicateDecisionForm(UswdsForm):
    DUPLICATE = "duplicate"
    NOT_DUPLICATE = "not_duplicate"

    candidate = forms.UUIDField(label=_("Person compared"), widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(DUPLICATE, _("Duplicate")), (NOT_DUPLICATE, _("Not a duplicate"))],
        widget=forms.HiddenInput,
    )
    reason = forms.CharField(
        label=_("Reason (required to mark as a duplicate)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    token = _token_field()

    def __init__(self, *args: Any, prefix_id: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["token"].initial = new_token()
        if prefix_id:
            self.auto_id = f"id_{prefix_id}_%s"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("decision") == self.DUPLICATE and not str(cleaned.get("reason", "")).strip():
            self.add_error("reason", _("Say why this person is the same as the declared one."))
        return cleaned

    @property
    def is_duplicate(self) -> bool:
        return self.cleaned_data.get("decision") == self.DUPLICATE


class SearchForm(UswdsForm):
    national_id = forms.CharField(label=_("National ID"), required=False, max_length=40)
    name = forms.CharField(label=_("Name"), required=False, max_length=200)
    born_from = forms.DateField(
        label=_("Born on or after"), required=False, widget=DateInput(), input_formats=["%Y-%m-%d"]
    )
    born_to = forms.DateField(
        label=_("Born on or before"), required=False, widget=DateInput(), input_formats=["%Y-%m-%d"]
    )
    place = forms.ChoiceField(label=_("Place of birth"), required=False)

    def __init__(self, *args: Any, id_label: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if id_label:
            self.fields["national_id"].label = id_label
        place = cast(forms.ChoiceField, self.fields["place"])
        place.choices = _blank(_("Any place")) + municipality_choices()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors and not any(cleaned.get(k) for k in self.fields):
            self.add_error(None, _("Give at least one search criterion."))
        return cleaned


class DashboardForm(forms.Form):
    level = forms.ChoiceField(
        label=_("Group by"),
        required=False,
        choices=[("state", _("State")), ("municipality", _("Municipality"))],
        widget=forms.Select(attrs={"class": "usa-select"}),
    )
    year = forms.TypedChoiceField(
        label=_("Year of birth"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[],
        widget=forms.Select(attrs={"class": "usa-select"}),
    )

    def __init__(self, *args: Any, years: Iterable[int] = (), **kwargs: Any) -> None:
        """`years`: those offered for the completeness report, latest first."""
        super().__init__(*args, **kwargs)
        year_field = self.fields["year"]
        assert isinstance(year_field, forms.TypedChoiceField)
        year_field.choices = [(str(y), str(y)) for y in years]


@dataclass(frozen=True)
class DisplayRow:
    """One labelled value of a record's data, ready for the page."""

    name: str
    label: StrOrPromise
    value: Any
    kind: str


def display_rows(spec: EventTypeSpec, data: Mapping[str, Any]) -> list[DisplayRow]:
    """A record's data in the profile's order, with labels; codes turned into names."""
    codes = [
        str(data[f.name])
        for f in spec.fields
        if f.type in ("state", "municipality") and data.get(f.name)
    ]
    places = {
        (j.level, j.official_code): j.name
        for j in Jurisdiction.objects.filter(
            level__in=[JurisdictionLevel.STATE, JurisdictionLevel.MUNICIPALITY],
            official_code__in=codes,
        )
    }
    rows: list[DisplayRow] = []
    for field_spec in spec.fields:
        if field_spec.name not in data or data[field_spec.name] in (None, ""):
            continue
        raw = data[field_spec.name]
        value: Any = raw
        if field_spec.type == "choice":
            value = choice_label(str(raw))
        elif field_spec.type in ("state", "municipality"):
            value = places.get((field_spec.type, str(raw)), raw)
        elif field_spec.type == "date":
            try:
                value = dt.date.fromisoformat(str(raw))
            except ValueError:
                value = raw
        rows.append(
            DisplayRow(field_spec.name, field_label(field_spec.name), value, field_spec.type)
        )
    return rows
