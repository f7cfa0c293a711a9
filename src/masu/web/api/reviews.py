"""Reviews: the owner's review of a booking, a professional's public reviews and reply, admins hiding."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, TypeVar

from fastapi import APIRouter, Query, Request, Response
from pydantic import Field

from masu.domain.reviews import MAX_COMMENT_LENGTH, MAX_RATING, MAX_REPLY_LENGTH, MIN_RATING
from masu.persistence.queries.review import ReviewFilter
from masu.services.review.reviews import (
    public_reviews,
    reply_to_review,
    reviews_page,
    set_review_hidden,
    submit_review,
)
from masu.web.api.idempotency import respond_idempotently
from masu.web.deps import AdminDep, ContainerDep, NowDep, PrincipalDep, SessionDep
from masu.web.openapi import refusals
from masu.web.schemas.common import ApiInput, ApiModel, Page, path_id

if TYPE_CHECKING:
    from masu.persistence.models import Review

router = APIRouter(prefix="/api/v1", tags=["reviews"])
BookingId = Annotated[str, path_id("bookingId")]
ReviewId = Annotated[str, path_id("reviewId")]
ProfessionalId = Annotated[str, path_id("professionalId")]
Limit = Annotated[int, Query(ge=1, le=100)]
Cursor = Annotated[str | None, Query(max_length=200)]


class ReviewIn(ApiInput):
    # Strict: "5", 4.0 or true are not ratings.
    rating: int = Field(strict=True, ge=MIN_RATING, le=MAX_RATING)
    comment: str | None = Field(default=None, max_length=MAX_COMMENT_LENGTH)


class ReplyIn(ApiInput):
    reply: str = Field(min_length=1, max_length=MAX_REPLY_LENGTH)


class ReviewCreatedOut(ApiModel):
    id: str
    rating: int
    comment: str | None
    created_at: datetime


class PublicReviewOut(ReviewCreatedOut):
    professional_reply: str | None
    replied_at: datetime | None


class ReviewOut(PublicReviewOut):
    booking_id: str
    professional_id: str
    is_hidden: bool


OutT = TypeVar("OutT", bound=PublicReviewOut)


@router.post(
    "/bookings/{bookingId}/review",
    response_model=ReviewCreatedOut,
    status_code=201,
    responses=refusals(403, 409),
)
async def review_booking(
    booking_id: BookingId,
    body: ReviewIn,
    request: Request,
    container: ContainerDep,
    now: NowDep,
    session: SessionDep,
    principal: PrincipalDep,
) -> Response:
    """Review a treated booking (owner, while pending_review; once): it becomes completed."""

    async def work() -> ReviewCreatedOut:
        review = await submit_review(
            session,
            now=now,
            principal=principal,
            booking_id=booking_id,
            rating=body.rating,
            comment=body.comment,
        )
        return ReviewCreatedOut.model_validate(review)

    return await respond_idempotently(
        request=request, container=container, session=session, principal=principal, status_code=201, work=work
    )


@router.get("/professionals/{professionalId}/reviews", response_model=Page[PublicReviewOut])
async def professional_reviews(
    professional_id: ProfessionalId, session: SessionDep, limit: Limit = 20, cursor: Cursor = None
) -> Page[PublicReviewOut]:
    """A professional's visible reviews with their replies, newest first (public)."""
    items, next_cursor = await public_reviews(
        session, professional_id=professional_id, limit=limit, cursor=cursor
    )
    return Page[PublicReviewOut](items=_out(PublicReviewOut, items), next_cursor=next_cursor)


@router.post("/reviews/{reviewId}/reply", response_model=ReviewOut, responses=refusals(403, 409))
async def reply(
    review_id: ReviewId, body: ReplyIn, now: NowDep, session: SessionDep, principal: PrincipalDep
) -> ReviewOut:
    """The reviewed professional's one public reply (409 the second time)."""
    review = await reply_to_review(
        session, now=now, principal=principal, review_id=review_id, reply=body.reply
    )
    await session.commit()
    return ReviewOut.model_validate(review)


@router.get("/admin/reviews", response_model=Page[ReviewOut])
async def admin_reviews(
    session: SessionDep,
    _admin: AdminDep,
    professional_id: Annotated[str | None, Query(alias="professionalId", max_length=64)] = None,
    booking_id: Annotated[str | None, Query(alias="bookingId", max_length=64)] = None,
    hidden: bool | None = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Page[ReviewOut]:
    """Every review, hidden ones included, newest first; filter by professional, booking or visibility."""
    where = ReviewFilter(professional_id=professional_id, booking_id=booking_id, hidden=hidden)
    items, next_cursor = await reviews_page(session, where, limit=limit, cursor=cursor)
    return Page[ReviewOut](items=_out(ReviewOut, items), next_cursor=next_cursor)


@router.post("/admin/reviews/{reviewId}/hide", response_model=ReviewOut)
async def hide(
    review_id: ReviewId, container: ContainerDep, session: SessionDep, admin: AdminDep
) -> ReviewOut:
    """Hide a review from the public and from the professional's rating."""
    return await _set_hidden(review_id, container, session, admin, hidden=True)


@router.post("/admin/reviews/{reviewId}/unhide", response_model=ReviewOut)
async def unhide(
    review_id: ReviewId, container: ContainerDep, session: SessionDep, admin: AdminDep
) -> ReviewOut:
    """Show a hidden review again; its rating counts again."""
    return await _set_hidden(review_id, container, session, admin, hidden=False)


async def _set_hidden(
    review_id: str, container: ContainerDep, session: SessionDep, admin: AdminDep, *, hidden: bool
) -> ReviewOut:
    review = await set_review_hidden(
        session, now=container.clock.now(), principal=admin, review_id=review_id, hidden=hidden
    )
    await session.commit()
    return ReviewOut.model_validate(review)


def _out(model: type[OutT], reviews: list[Review]) -> list[OutT]:
    return [model.model_validate(review) for review in reviews]
