"""The catalogue's forms: posted fields → the JSON API's input models, and errors as text keys per field.

The pages validate through the same models as /api/v1/admin (so a price the API refuses, the page refuses
too); only the names change: a form field is the model's snake_case name, nested ones joined by "_".
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import ValidationError
from pydantic.alias_generators import to_snake

from masu.domain.errors import DomainError, ValidationFailed
from masu.domain.pricing import BUSINESS_TZ
from masu.services.catalogue.catalogue import TreatmentOffer
from masu.web.schemas.catalogue import (
    CityIn,
    CityPatch,
    CouponIn,
    CouponPatch,
    SurchargeIn,
    SurchargePatch,
    TreatmentIn,
)
from masu.web.schemas.common import ApiInput, shekels_number
from masu.web.schemas.units import WEEKDAYS, clock_of, wire_value

if TYPE_CHECKING:
    from masu.persistence.models import City, Coupon, SurchargeRule

Model = TypeVar("Model", bound=ApiInput)
Errors = dict[str, str]
"""Form field → key of its message in the texts catalogue."""
DURATION_ROWS = 5  # empty duration lines a new treatment form offers
MAX_DURATION_ROWS = 20  # as many as the API takes, so a save never drops stored durations
LOCAL_MINUTE = "%Y-%m-%dT%H:%M"  # the value of an <input type="datetime-local">
CONFLICT_FIELDS = {"city_exists": "name", "coupon_exists": "code"}


class FormRefused(Exception):
    """The posted form cannot be saved; `errors` names each wrong field's message."""

    def __init__(self, errors: Errors) -> None:
        super().__init__(errors)
        self.errors = errors


def validated(model: type[Model], form: str, data: Mapping[str, Any]) -> Model:
    """`data` as `model`; FormRefused with a message key per wrong field ("bad_<form>_<field>")."""
    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        errors: Errors = {}
        for error in exc.errors():
            field = field_name(error["loc"])
            errors.setdefault(field, error_key(form, field))
        raise FormRefused(errors) from exc


def field_name(loc: tuple[int | str, ...]) -> str:
    """The form field of a model error's location: ("durations", 1, "price") → "d1_price"."""
    parts = [str(part) for part in loc]
    if parts and parts[0] == "durations" and len(parts) >= 3:
        return f"d{parts[1]}_{to_snake(parts[2])}"
    return "_".join(to_snake(part) for part in parts) or "form"


def error_key(form: str, field: str) -> str:
    """The text key of a wrong `field` of `form`; duration rows share theirs ("d3_price" → "…_d_price")."""
    if field[:1] == "d" and field[1:2].isdigit():
        field = "d_" + field.partition("_")[2]
    return f"bad_{form}_{field}"


def refused_by_service(form: str, refused: DomainError, known: Collection[str]) -> Errors:
    """A service's refusal as errors of the form: next to the field it names, else above the form."""
    if isinstance(refused, ValidationFailed):
        field = to_snake(refused.field.split(".")[0])
        key = f"refused_{form}_{field}"
        return {field: key} if key in known else {"form": "refused_other"}
    if refused.code in CONFLICT_FIELDS:  # a name or code taken, by another row or a concurrent admin
        return {CONFLICT_FIELDS[refused.code]: f"refused_{refused.code}"}
    return {"form": "refused_other"}


def optional(text: str | None) -> str | None:
    """A typed value, None when left empty."""
    return text.strip() if text and text.strip() else None


def money(text: str | None) -> str | None:
    """A typed amount with a decimal comma accepted; None when left empty."""
    value = optional(text)
    return value.replace(",", ".") if value else None


def local_moment(form: Mapping[str, str], field: str, errors: Errors, name: str) -> datetime | None:
    """A datetime-local field read in Israel's time; an unreadable one adds its error."""
    value = optional(form.get(field))
    if value is None:
        return None
    try:
        return datetime.strptime(value[:16], LOCAL_MINUTE).replace(tzinfo=BUSINESS_TZ)
    except ValueError:
        errors[field] = error_key(name, field)
        return None


def shown_moment(moment: datetime | None) -> str:
    """A stored time as a datetime-local field shows it, in Israel's time."""
    return moment.astimezone(BUSINESS_TZ).strftime(LOCAL_MINUTE) if moment else ""


def checked(form: Mapping[str, str], field: str) -> bool:
    """A checkbox: present when ticked."""
    return field in form


# Cities


def city_data(form: Mapping[str, str]) -> dict[str, Any]:
    """The model's fields of a posted city form."""
    return {
        "name": form.get("name", ""),
        "name_he": optional(form.get("name_he")),
        "latitude": optional(form.get("latitude")),
        "longitude": optional(form.get("longitude")),
    }


def new_city(form: Mapping[str, str]) -> CityIn:
    """A city to add; FormRefused naming the wrong fields."""
    return validated(CityIn, "city", city_data(form))


def city_changes(form: Mapping[str, str]) -> dict[str, Any]:
    """A whole edited city (with whether it is active) as column changes; FormRefused for wrong fields."""
    patch = validated(CityPatch, "city", {**city_data(form), "is_active": checked(form, "is_active")})
    return patch.changes()


def city_form(city: City) -> dict[str, str]:
    """A stored city as its form's values."""
    return {
        "name": city.name,
        "name_he": city.name_he or "",
        "latitude": str(city.latitude),
        "longitude": str(city.longitude),
        **({"is_active": "1"} if city.is_active else {}),
    }


# Coupons


def _coupon_window(form: Mapping[str, str], errors: Errors) -> dict[str, Any]:
    """The coupon's window and limits, the dates read in Israel's time (unreadable ones added to `errors`)."""
    return {
        "valid_from": local_moment(form, "valid_from", errors, "coupon"),
        "valid_until": local_moment(form, "valid_until", errors, "coupon"),
        "usage_limit": optional(form.get("usage_limit")),
        "per_user_limit": optional(form.get("per_user_limit")),
    }


def _with_date_errors(model: type[Model], data: dict[str, Any], date_errors: Errors) -> Model:
    """`data` validated as `model`, refused with the model's errors and the unreadable dates' together."""
    try:
        validated_model = validated(model, "coupon", data)
    except FormRefused as refused:
        raise FormRefused(refused.errors | date_errors) from refused
    if date_errors:
        raise FormRefused(date_errors)
    return validated_model


def new_coupon(form: Mapping[str, str]) -> CouponIn:
    """A coupon to add; FormRefused naming the wrong fields."""
    date_errors: Errors = {}
    data = {
        "code": form.get("code", ""),
        "kind": form.get("kind", ""),
        "value": money(form.get("value")),
        "is_active": True,
        **_coupon_window(form, date_errors),
    }
    return _with_date_errors(CouponIn, data, date_errors)


def coupon_changes(form: Mapping[str, str]) -> dict[str, Any]:
    """An edited coupon's window, limits and activity (empty clears); FormRefused for wrong fields."""
    date_errors: Errors = {}
    data = {**_coupon_window(form, date_errors), "is_active": checked(form, "is_active")}
    return _with_date_errors(CouponPatch, data, date_errors).changes()


def coupon_form(coupon: Coupon) -> dict[str, str]:
    """A stored coupon as its form's values."""
    return {
        "code": coupon.code,
        "kind": coupon.kind,
        "value": str(wire_value(coupon.kind, coupon.value)),
        "valid_from": shown_moment(coupon.valid_from),
        "valid_until": shown_moment(coupon.valid_until),
        "usage_limit": "" if coupon.usage_limit is None else str(coupon.usage_limit),
        "per_user_limit": "" if coupon.per_user_limit is None else str(coupon.per_user_limit),
        **({"is_active": "1"} if coupon.is_active else {}),
    }


# Surcharge rules


def surcharge_data(form: Mapping[str, str]) -> dict[str, Any]:
    """The model's fields of a posted surcharge form (an empty share kind: no share of its own)."""
    share_kind = optional(form.get("professional_share_kind"))
    return {
        "description": form.get("description", ""),
        "weekday": optional(form.get("weekday")),
        "on_date": optional(form.get("on_date")),
        "start": form.get("start", "")[:5],
        "end": form.get("end", "")[:5],
        "amount": {"kind": form.get("amount_kind", ""), "value": money(form.get("amount_value"))},
        "professional_share": {"kind": share_kind, "value": money(form.get("professional_share_value"))}
        if share_kind
        else None,
        "is_active": checked(form, "is_active"),
    }


def new_surcharge(form: Mapping[str, str]) -> SurchargeIn:
    """A surcharge rule to add; FormRefused naming the wrong fields."""
    return validated(SurchargeIn, "surcharge", surcharge_data(form))


def surcharge_changes(form: Mapping[str, str]) -> dict[str, Any]:
    """A whole edited surcharge rule as column changes; FormRefused naming the wrong fields."""
    return validated(SurchargePatch, "surcharge", surcharge_data(form)).changes()


def surcharge_form(rule: SurchargeRule) -> dict[str, str]:
    """A stored surcharge rule as its form's values."""
    return {
        "description": rule.description,
        "weekday": WEEKDAYS[rule.weekday] if rule.weekday is not None else "",
        "on_date": rule.on_date.isoformat() if isinstance(rule.on_date, date) else "",
        "start": clock_of(rule.start_minute),
        "end": clock_of(rule.end_minute),
        "amount_kind": rule.amount_kind,
        "amount_value": str(wire_value(rule.amount_kind, rule.amount_value)),
        "professional_share_kind": rule.share_kind or "",
        "professional_share_value": ""
        if rule.share_kind is None or rule.share_value is None
        else str(wire_value(rule.share_kind, rule.share_value)),
        **({"is_active": "1"} if rule.is_active else {}),
    }


# Treatments


def treatment_in(form: Mapping[str, str]) -> TreatmentIn:
    """A whole treatment definition; FormRefused naming the wrong fields (duration rows as d<i>_…)."""
    fixed = form.get("pricing_type") == "fixed"
    rows = [i for i in range(MAX_DURATION_ROWS) if any(optional(form.get(f"d{i}_{k}")) for k in _ROW)]
    data = {
        "name": form.get("name", ""),
        "category": form.get("category", ""),
        "description": optional(form.get("description")),
        "pricing_type": form.get("pricing_type", ""),
        # the other pricing's fields may hold leftovers of an earlier choice: they are not part of it
        "price": money(form.get("price")) if fixed else None,
        "professional_pay": money(form.get("professional_pay")) if fixed else None,
        "duration_minutes": optional(form.get("duration_minutes")) or 60,
        "allows_gender_preference": checked(form, "allows_gender_preference"),
        "is_active": checked(form, "is_active"),
        "durations": [] if fixed else [_duration(form, i) for i in rows],
    }
    refused: dict[str, str] = {}
    try:
        model = validated(TreatmentIn, "treatment", data)
    except FormRefused as exc:
        refused = _rows_renumbered(exc.errors, rows)
    if refused:
        raise FormRefused(refused)
    return model


_ROW = ("minutes", "price", "professional_pay")


def _duration(form: Mapping[str, str], row: int) -> dict[str, Any]:
    return {
        "minutes": optional(form.get(f"d{row}_minutes")),
        "price": money(form.get(f"d{row}_price")),
        "professional_pay": money(form.get(f"d{row}_professional_pay")),
    }


def _rows_renumbered(errors: Errors, rows: list[int]) -> Errors:
    """Errors of the model's n-th duration moved to the form row it came from (empty rows are skipped)."""
    moved: Errors = {}
    for field, key in errors.items():
        if field[:1] == "d" and field[1:2].isdigit():
            index, _, rest = field[1:].partition("_")
            field = f"d{rows[int(index)]}_{rest}"
        moved[field] = key
    return moved


def treatment_form(offer: TreatmentOffer) -> dict[str, str]:
    """A stored treatment (with its durations) as its form's values."""
    t = offer.treatment
    values = {
        "name": t.name,
        "category": t.category,
        "description": t.description or "",
        "pricing_type": t.pricing_type,
        "price": "" if t.fixed_price is None else str(shekels_number(t.fixed_price)),
        "professional_pay": ""
        if t.fixed_professional_pay is None
        else str(shekels_number(t.fixed_professional_pay)),
        "duration_minutes": str(t.default_duration_minutes),
        **({"allows_gender_preference": "1"} if t.allows_gender_preference else {}),
        **({"is_active": "1"} if t.is_active else {}),
    }
    for row, d in enumerate(offer.durations[:MAX_DURATION_ROWS]):
        values |= {
            f"d{row}_minutes": str(d.minutes),
            f"d{row}_price": str(shekels_number(d.price)),
            f"d{row}_professional_pay": str(shekels_number(d.professional_pay)),
        }
    return values


def duration_rows(values: Mapping[str, str]) -> range:
    """The duration lines a treatment form shows: every filled one and one empty, at least DURATION_ROWS."""
    filled = [i for i in range(MAX_DURATION_ROWS) if any(values.get(f"d{i}_{k}") for k in _ROW)]
    return range(min(max(DURATION_ROWS, filled[-1] + 2 if filled else 0), MAX_DURATION_ROWS))
