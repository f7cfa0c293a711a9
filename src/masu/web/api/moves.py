"""Moving a booking from a JSON route: one service call, run idempotently, answered with the booking."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from masu.bootstrap import Container
from masu.domain.access import Principal
from masu.services.booking.access import BookingView, cancel_booking, full_view
from masu.services.policy import BookingPolicy
from masu.web.api.idempotency import respond_idempotently
from masu.web.deps import AdminDep, ContainerDep, NowDep, PolicyDep, PrincipalDep, SessionDep
from masu.web.schemas.booking import BookingOut

Step = Callable[..., Awaitable[BookingView]]
"""A service moving a visit: (session, *, now, policy, principal, booking_id, ...) → the booking's view."""


@dataclass(frozen=True, slots=True)
class Mover:
    """What every visit move needs from the request; `answer` runs one move idempotently."""

    request: Request
    container: Container
    session: AsyncSession
    now: datetime
    policy: BookingPolicy
    principal: Principal

    async def answer(self, step: Step, booking_id: str, **extra: Any) -> Response:
        """Run `step` on the booking (with an Idempotency-Key, replayed as the key dictates) and answer it."""

        async def work() -> BookingOut:
            view = await step(
                self.session,
                now=self.now,
                policy=self.policy,
                principal=self.principal,
                booking_id=booking_id,
                **extra,
            )
            return BookingOut.of(view)

        return await self._idempotently(work)

    async def cancel(self, booking_id: str, *, reason: str | None, refund: bool | None = None) -> Response:
        """Cancel the booking (idempotently, as `answer`) and answer it with its payment links."""

        async def work() -> BookingOut:
            booking = await cancel_booking(
                self.session,
                now=self.now,
                policy=self.policy,
                principal=self.principal,
                booking_id=booking_id,
                reason=reason,
                refund=refund,
            )
            view = await full_view(self.session, booking)
            return BookingOut.of(view, base_url=self.container.settings.PUBLIC_BASE_URL)

        return await self._idempotently(work)

    async def _idempotently(self, work: Callable[[], Awaitable[BookingOut]]) -> Response:
        return await respond_idempotently(
            request=self.request,
            container=self.container,
            session=self.session,
            principal=self.principal,
            status_code=200,
            work=work,
        )


def _mover(
    request: Request,
    container: ContainerDep,
    now: NowDep,
    policy: PolicyDep,
    session: SessionDep,
    principal: PrincipalDep,
) -> Mover:
    return Mover(request, container, session, now, policy, principal)


def _admin_mover(
    request: Request,
    container: ContainerDep,
    now: NowDep,
    policy: PolicyDep,
    session: SessionDep,
    admin: AdminDep,
) -> Mover:
    return Mover(request, container, session, now, policy, admin)


MoverDep = Annotated[Mover, Depends(_mover)]
"""A move by whoever is authenticated (the service decides whether they may)."""
AdminMoverDep = Annotated[Mover, Depends(_admin_mover)]
"""A move only an admin may ask for (403 otherwise)."""
