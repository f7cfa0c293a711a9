"""Reviews: the customer's one review of a treated booking, the professional's one reply, admins' hiding."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from masu.domain.access import Principal, actor_for_booking
from masu.domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from masu.domain.events import ReviewEvent, ReviewHidden, ReviewReplied, ReviewUnhidden
from masu.domain.lifecycle import Action, Actor, BookingStatus, TransitionContext, decide
from masu.domain.reviews import checked_comment, checked_rating, checked_reply
from masu.events.outbox import append_event
from masu.persistence.models import Booking, Review
from masu.persistence.queries import review as review_queries
from masu.persistence.queries.pagination import InvalidCursor
from masu.persistence.queries.review import ReviewFilter, ReviewLinkFacts
from masu.persistence.repositories import booking as booking_repository
from masu.persistence.repositories import review as review_repository
from masu.services.booking.access import accessible_booking
from masu.services.booking.transitions import Trigger, apply_decision

MAX_PAGE_SIZE = 100


async def submit_review(
    session: AsyncSession,
    *,
    now: datetime,
    principal: Principal,
    booking_id: str,
    rating: int,
    comment: str | None,
) -> Review:
    """The owner reviews a pending_review booking: stored, the booking completed (`booking.reviewed`)."""
    booking = await accessible_booking(session, principal, booking_id, for_update=True)
    actor = actor_for_booking(principal, owner_id=booking.user_id, professional_id=booking.professional_id)
    return await _review(session, booking, actor, principal.user_id, now, rating, comment, reason=None)


async def submit_review_by_link(
    session: AsyncSession, *, now: datetime, booking_id: str, rating: int, comment: str | None
) -> Review:
    """Review through the signed link, which stands for the booking's owner; as `submit_review` otherwise."""
    booking = await booking_repository.get_booking(session, booking_id, for_update=True)
    if booking is None:
        raise NotFound("no such booking")
    return await _review(
        session, booking, Actor.CUSTOMER, booking.user_id, now, rating, comment, reason="review_link"
    )


async def _review(
    session: AsyncSession,
    booking: Booking,
    actor: Actor,
    actor_id: str,
    now: datetime,
    rating: int,
    comment: str | None,
    *,
    reason: str | None,
) -> Review:
    """Check, store the review, move the booking to completed and end its reminders."""
    rating, comment = checked_rating(rating), checked_comment(comment)
    if await review_repository.review_of_booking(session, booking.id) is not None:
        raise Conflict("this booking has already been reviewed", code="already_reviewed")
    context = TransitionContext(now=now, is_owner=actor_id == booking.user_id)
    decision = decide(BookingStatus(booking.status), Action.REVIEW, actor, context)
    professional_id = booking.professional_id
    if professional_id is None:  # completion needs an assigned professional; a broken row must not 500
        raise Conflict("this booking has no professional to review", code="no_professional")
    await apply_decision(session, booking, decision, now=now, trigger=Trigger(actor, actor_id, reason))
    review = Review(
        booking_id=booking.id,
        user_id=booking.user_id,
        professional_id=professional_id,
        rating=rating,
        comment=comment,
        is_hidden=False,
        created_at=now,
    )
    session.add(review)
    await session.flush()
    await review_repository.end_cycle(session, booking.id)
    return review


async def reply_to_review(
    session: AsyncSession, *, now: datetime, principal: Principal, review_id: str, reply: str
) -> Review:
    """The reviewed professional answers once; appends `review.replied`. NotFound for anyone else's."""
    review = await review_repository.get_review(session, review_id)
    if review is None or review.professional_id != principal.user_id:
        raise NotFound("no such review")
    text = checked_reply(reply)
    if not await review_repository.reply_if_none(session, review.id, reply=text, now=now):
        raise Conflict("this review already has a reply", code="already_replied")
    _announce(session, ReviewReplied, review, now, principal.user_id)
    return await _reloaded(session, review.id)


async def set_review_hidden(
    session: AsyncSession, *, now: datetime, principal: Principal, review_id: str, hidden: bool
) -> Review:
    """An admin hides or shows a review; a change appends `review.hidden`/`review.unhidden` (standing)."""
    if not principal.is_admin:
        raise Forbidden("only admins may hide or show reviews", code="admins_only")
    review = await review_repository.get_review(session, review_id)
    if review is None:
        raise NotFound("no such review")
    if await review_repository.set_hidden_if_not(session, review.id, hidden=hidden):
        _announce(session, ReviewHidden if hidden else ReviewUnhidden, review, now, principal.user_id)
    return await _reloaded(session, review.id)


async def public_reviews(
    session: AsyncSession, *, professional_id: str, limit: int, cursor: str | None
) -> tuple[list[Review], str | None]:
    """A professional's visible reviews, newest first; NotFound for someone who is not a professional."""
    if not await review_queries.is_professional(session, professional_id):
        raise NotFound("no such professional")
    where = ReviewFilter(professional_id=professional_id, hidden=False)
    return await reviews_page(session, where, limit=limit, cursor=cursor)


async def reviews_page(
    session: AsyncSession, where: ReviewFilter, *, limit: int, cursor: str | None
) -> tuple[list[Review], str | None]:
    """A page of the reviews matching `where` (hidden ones too unless filtered); refuses bad paging."""
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise ValidationFailed("limit", f"must be between 1 and {MAX_PAGE_SIZE}")
    try:
        return await review_queries.list_reviews(session, where, limit=limit, cursor=cursor)
    except InvalidCursor as exc:
        raise ValidationFailed("cursor", "not a cursor this server issued") from exc


async def review_link_facts(session: AsyncSession, booking_id: str) -> ReviewLinkFacts | None:
    """What the review link's page shows about its booking, or None when there is no such booking."""
    return await review_queries.link_facts(session, booking_id)


async def _reloaded(session: AsyncSession, review_id: str) -> Review:
    review = await review_repository.get_review(session, review_id)
    assert review is not None
    return review


def _announce(
    session: AsyncSession, kind: type[ReviewEvent], review: Review, now: datetime, actor_id: str
) -> None:
    event = kind(
        review_id=review.id,
        booking_id=review.booking_id,
        professional_id=review.professional_id,
        actor_id=actor_id,
    )
    append_event(session, event, now=now)
