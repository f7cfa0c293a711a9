"""The booking wizard: treatment → duration → city and date → a free time → details → summary → payment.

The visit's picks travel in the query string (they say nothing about the person), the address and recipient
only in posted forms. Every step is checked again on the server when the booking is made; the price shown in
the summary is the server's, computed exactly as creating the booking computes it.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy.ext.asyncio import AsyncSession

from masu.bootstrap import Container
from masu.domain.access import Principal
from masu.domain.errors import Conflict, RateLimited, ValidationFailed
from masu.domain.pricing import BUSINESS_TZ, PriceDetails
from masu.services import idempotency
from masu.services.account.accounts import PhoneNotVerified
from masu.services.booking.access import BookingView
from masu.services.booking.availability import SlotQuery, open_slots, slot_is_open
from masu.services.booking.creation import NewBooking, create_booking, price_booking
from masu.services.booking.wizard import contact_of, served_cities
from masu.services.catalogue.catalogue import TreatmentOffer, treatments_with_durations
from masu.services.idempotency import Answer
from masu.web.deps import ContainerDep, NowDep, PolicyDep, SessionDep
from masu.web.pages.customer.texts import TEXTS
from masu.web.pages.customer.wizard_form import (
    PICK_NAMES,
    Picks,
    booking_command,
    form_field,
    message_key,
    read_details,
)
from masu.web.pages.customer.wizard_texts import WIZARD
from masu.web.schemas.common import shekels_number
from masu.web.ui.csrf import require_csrf
from masu.web.ui.render import redirect, render
from masu.web.ui.session import UserDep, login_url

if TYPE_CHECKING:
    from masu.persistence.models import City

router = APIRouter(tags=["pages"], include_in_schema=False)
CATALOGUES = (TEXTS, WIZARD)
Csrf = Annotated[None, Depends(require_csrf)]
# Each summary carries a one-time key, so confirming the same summary twice makes one booking.
REQUEST_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")
CONFIRMATION_KEY_PREFIX = "book:"
STEPS = ("treatment", "duration", "when", "slot", "details", "summary")


@router.get("/book", response_class=HTMLResponse)
async def wizard(
    request: Request,
    user: UserDep,
    container: ContainerDep,
    now: NowDep,
    policy: PolicyDep,
    session: SessionDep,
) -> Response:
    """The first step whose answer is missing or wrong, with the answers so far."""
    picks = Picks.read(request.query_params)
    offers = await treatments_with_durations(session, active_only=True)
    offer = next((o for o in offers if o.treatment.id == picks.treatment), None)
    if offer is None:
        return _step(request, "treatment", picks, {"offers": offers})
    minutes = _chosen_minutes(offer, picks)
    if minutes is None:
        options = [(d.minutes, shekels_number(d.price)) for d in offer.durations]
        errors = _if_given(picks.duration, "duration")
        return _step(request, "duration", picks, {"offer": offer, "options": options}, errors=errors)
    picks = Picks.read({**picks.as_params(), "duration": str(minutes)})
    cities = await served_cities(session)
    city = next((c for c in cities if c.id == picks.city), None)
    day = _bookable_day(picks.day(), container)
    if city is None or day is None:
        errors = {**_if_given(picks.city, "city", city), **_if_given(picks.date, "date", day)}
        return _step(request, "when", picks, _when_context(offer, cities, container), errors=errors)
    slots = await open_slots(session, now=now, policy=policy, query=_query(picks))
    chosen = picks.starts_at()
    if chosen not in slots:
        context = {"slots": [_local_time(s) for s in slots], "offer": offer, "city": city}
        return _step(request, "slot", picks, context, errors=_if_given(picks.time, "time"))
    contact = await contact_of(session, user.user_id)
    return Draft(request, picks, offer, city, {"for_whom": "me"}, contact.name).details({})


@router.post("/book/summary", response_class=HTMLResponse)
async def summary(
    request: Request, _csrf: Csrf, user: UserDep, container: ContainerDep, session: SessionDep
) -> Response:
    """The booking as it would be made, with the server's price (and coupon); the details again if wrong."""
    return await _checked(request, user, container, session, confirm=False)


@router.post("/book", response_class=HTMLResponse)
async def confirm(
    request: Request, _csrf: Csrf, user: UserDep, container: ContainerDep, session: SessionDep
) -> Response:
    """Make the booking and go to payment (or to the booking when nothing is due at a gateway)."""
    return await _checked(request, user, container, session, confirm=True)


async def _checked(
    request: Request, user: Principal, container: Container, session: AsyncSession, *, confirm: bool
) -> Response:
    """Check the posted wizard; render the summary, or make the booking when `confirm`."""
    form = await request.form()
    picks, details = Picks.read(form), read_details(form)
    offer, city = await _offer_and_city(session, picks)
    if offer is None or city is None:
        return redirect(request, _book_url(picks))
    if not await _still_open(session, container, picks):
        return redirect(request, _book_url(picks.without("time"), gone="1"))
    contact = await contact_of(session, user.user_id)
    draft = Draft(request, picks, offer, city, details, contact.name)
    command, errors = booking_command(picks, details, contact=contact, city_name=city.name)
    if command is None:
        return draft.details(errors, status_code=422)
    now, policy = container.clock.now(), container.policy
    try:
        if not confirm:
            price = await price_booking(
                session, now=now, policy=policy, customer_id=user.user_id, command=command
            )
            return draft.summary(price, pays_now=policy.payment_gateway_enabled and price.final_amount > 0)
        earlier = await _claim_confirmation(session, container, user, str(form.get("request_key", "")))
        if earlier is not None:  # the same summary confirmed twice (a double click, a resent form)
            await session.rollback()
            return redirect(request, earlier)
        view = await create_booking(session, now=now, policy=policy, principal=user, command=command)
        target = _next_page(view)
        await _remember_confirmation(session, user, str(form.get("request_key", "")), target)
        await session.commit()
    except ValidationFailed as refused:
        await session.rollback()
        field = form_field(refused.field)
        error = {field: message_key(field, refused.code)}
        if field == "coupon":  # the price without it, and the code as typed next to its message
            return await _summary_without_coupon(session, container, user, draft, command, error)
        return draft.details(error, status_code=422)
    except RateLimited:
        await session.rollback()
        return draft.details({"form": "err_rate_limited"}, status_code=429)
    except PhoneNotVerified:  # a session from before phones were proved: logging in again asks for the code
        await session.rollback()
        return redirect(request, login_url(request))
    return redirect(request, target)


def _next_page(view: BookingView) -> str:
    """Where a new booking goes on: its payment when one is due at a gateway, else the booking itself."""
    if view.payment is not None and view.payment.checkout_id is not None:
        return f"/pay/{view.payment.checkout_id}"
    return f"/bookings/{view.booking.id}?created=1"


async def _claim_confirmation(
    session: AsyncSession, container: Container, user: Principal, request_key: str
) -> str | None:
    """Claim the summary's one-time key in the booking's transaction; the earlier answer if already used.

    The claim is an insert on the key's primary key, so a second confirmation of the same summary waits for
    the first one's transaction and then finds its answer: one booking, whatever the timing.
    """
    if not REQUEST_KEY.fullmatch(request_key):
        return None  # a form from before keys were given out: nothing to deduplicate by
    key = CONFIRMATION_KEY_PREFIX + request_key
    try:
        # Held for no time of its own: the claim lasts as long as the booking's transaction.
        earlier = await idempotency.claim(
            session,
            user_id=user.user_id,
            key=key,
            fingerprint=key,
            now=container.clock.now(),
            hold=timedelta(0),
            key_name="request_key",
        )
    except Conflict:  # its confirmation is going on or went away: the bookings show how it ended
        return "/bookings"
    if earlier is None:
        return None
    return earlier.body or "/bookings"


async def _remember_confirmation(
    session: AsyncSession, user: Principal, request_key: str, target: str
) -> None:
    """Keep where the confirmation went, to send a repeat of it there (commits with the booking)."""
    if REQUEST_KEY.fullmatch(request_key):
        key = CONFIRMATION_KEY_PREFIX + request_key
        await idempotency.keep_answer(session, user_id=user.user_id, key=key, answer=Answer(303, target))


@dataclass(frozen=True, slots=True)
class Draft:
    """A posted wizard whose visit is valid: renders its details form or its summary."""

    request: Request
    picks: Picks
    offer: TreatmentOffer
    city: City
    values: dict[str, str]
    contact_name: str

    def details(self, errors: dict[str, str], *, status_code: int = 200) -> Response:
        """The address and recipient form with these values and errors.

        An error about an earlier step's pick (the time, say, no longer far enough ahead) has no field on
        this form, so it is shown above it, next to the links back to those steps.
        """
        shown = {("form" if field in PICK_NAMES else field): key for field, key in errors.items()}
        return _step(
            self.request, "details", self.picks, self._context(), errors=shown, status_code=status_code
        )

    def summary(
        self,
        price: PriceDetails,
        *,
        pays_now: bool,
        errors: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Response:
        """The booking as it would be made, with the server's price breakdown (without a refused coupon)."""
        typed_coupon = self.values.get("coupon", "")
        context: dict[str, Any] = {"request_key": secrets.token_urlsafe(18)}
        values = {**self.values, "coupon": "" if errors else typed_coupon}
        context |= {**self._context(), "details": values, "typed_coupon": typed_coupon}
        context |= {"price": _price(price), "pays_now": pays_now}
        return _step(self.request, "summary", self.picks, context, errors=errors, status_code=status_code)

    def _context(self) -> dict[str, Any]:
        return {
            "offer": self.offer,
            "city": self.city,
            "details": self.values,
            "contact_name": self.contact_name,
        }


@router.post("/book/details", response_class=HTMLResponse)
async def edit_details(
    request: Request, _csrf: Csrf, user: UserDep, container: ContainerDep, session: SessionDep
) -> Response:
    """The address and recipient form again, filled with what was posted (from the summary)."""
    form = await request.form()
    picks, details = Picks.read(form), read_details(form)
    offer, city = await _offer_and_city(session, picks)
    if offer is None or city is None:
        return redirect(request, _book_url(picks))
    contact = await contact_of(session, user.user_id)
    return Draft(request, picks, offer, city, details, contact.name).details({})


async def _summary_without_coupon(
    session: AsyncSession,
    container: Container,
    user: Principal,
    draft: Draft,
    command: NewBooking,
    error: dict[str, str],
) -> Response:
    """The summary priced without the refused coupon, its code kept in the field with the message."""
    now, policy = container.clock.now(), container.policy
    without = replace(command, coupon_code=None)
    price = await price_booking(session, now=now, policy=policy, customer_id=user.user_id, command=without)
    pays_now = policy.payment_gateway_enabled and price.final_amount > 0
    return draft.summary(price, pays_now=pays_now, errors=error, status_code=422)


async def _offer_and_city(session: AsyncSession, picks: Picks) -> tuple[TreatmentOffer | None, City | None]:
    offers = await treatments_with_durations(session, active_only=True)
    offer = next((o for o in offers if o.treatment.id == picks.treatment), None)
    city = next((c for c in await served_cities(session) if c.id == picks.city), None)
    return offer, city


async def _still_open(session: AsyncSession, container: Container, picks: Picks) -> bool:
    """Whether the picked time still has someone free (others may have booked them meanwhile)."""
    starts_at = picks.starts_at()
    if starts_at is None or picks.day() is None:
        return False
    try:
        now, policy = container.clock.now(), container.policy
        return await slot_is_open(session, now=now, policy=policy, query=_query(picks), starts_at=starts_at)
    except ValidationFailed:
        return False


def _chosen_minutes(offer: TreatmentOffer, picks: Picks) -> int | None:
    """The visit's length: the fixed one, or the picked duration when the treatment offers it."""
    if not offer.durations:
        return offer.treatment.default_duration_minutes
    offered = {d.minutes for d in offer.durations}
    return picks.minutes() if picks.minutes() in offered else None


def _bookable_day(day: date | None, container: Container) -> date | None:
    """`day` when some of it lies in the booking window, else None."""
    first, last = _window(container)
    return day if day is not None and first <= day <= last else None


def _window(container: Container) -> tuple[date, date]:
    now, policy = container.clock.now(), container.policy
    first, last = (now + policy.min_lead, now + policy.max_horizon)
    return first.astimezone(BUSINESS_TZ).date(), last.astimezone(BUSINESS_TZ).date()


def _query(picks: Picks) -> SlotQuery:
    day = picks.day()
    assert day is not None
    return SlotQuery(picks.treatment, picks.minutes(), picks.city, day, picks.gender)


def _if_given(value: str, field: str, found: object = None) -> dict[str, str]:
    """An error for `field` when the customer gave a value that was not accepted."""
    return {field: f"err_{field}"} if value and found is None else {}


def _when_context(offer: TreatmentOffer, cities: list[City], container: Container) -> dict[str, Any]:
    first, last = _window(container)
    return {
        "offer": offer,
        "cities": cities,
        "first_day": first.isoformat(),
        "last_day": last.isoformat(),
        "gender_choice": offer.treatment.allows_gender_preference,
    }


def _price(price: PriceDetails) -> dict[str, Any]:
    return {
        "base": shekels_number(price.base_price),
        "surcharges": [(s.description, shekels_number(s.amount)) for s in price.surcharges],
        "discount": shekels_number(price.discount) if price.discount else None,
        "total": shekels_number(price.final_amount),
    }


def _step(
    request: Request,
    step: str,
    picks: Picks,
    context: dict[str, Any],
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    """Render one step with the progress bar, the picks so far and links back to earlier steps."""
    full = {
        "step": step,
        "steps": STEPS,
        "picks": picks,
        "hidden": picks.as_params(),
        "errors": errors or {},
        "back": {
            "treatment": _book_url(Picks()),
            "duration": _book_url(picks.without("duration", "city", "date", "time")),
            "when": _book_url(picks.without("date", "time")),
            "slot": _book_url(picks.without("time")),
        },
        "when_text": _when_text(picks),
        "gone": request.query_params.get("gone") == "1",
        "offer": None,  # the frame shows the treatment and the city once the steps have them
        "city": None,
        **context,
    }
    if status_code == 200 and errors:
        status_code = 422
    return render(request, f"customer/book_{step}.html", full, catalogues=CATALOGUES, status_code=status_code)


def _book_url(picks: Picks, **extra: str) -> str:
    params = {**picks.as_params(), **extra}
    return "/book" + (f"?{urlencode(params)}" if params else "")


def _when_text(picks: Picks) -> str:
    starts_at = picks.starts_at()
    if starts_at is not None:
        return starts_at.strftime("%d/%m/%Y %H:%M")
    day = picks.day()
    return day.strftime("%d/%m/%Y") if day else ""


def _local_time(moment: datetime) -> str:
    return moment.astimezone(BUSINESS_TZ).strftime("%H:%M")
