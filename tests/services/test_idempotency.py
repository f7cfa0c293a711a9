"""The one idempotency service: claim, replay, refuse, take over and release, for the API and the wizard."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from masu.bootstrap import Container
from masu.domain.errors import Conflict, ValidationFailed
from masu.persistence.models import IdempotencyRecord, User
from masu.services import idempotency
from masu.services.idempotency import Answer
from tests.conftest import NOW

HOLD = timedelta(seconds=60)


async def _user_id(container: Container) -> str:
    async with container.sessions() as session:
        return str((await session.execute(sa.select(User.id).limit(1))).scalar_one())


async def _claim(
    container: Container, user_id: str, fingerprint: str = "f", now: datetime = NOW
) -> Answer | None:
    """A claim in a transaction of its own, committed at once, as the API makes it."""
    async with container.sessions() as session:
        answer = await idempotency.claim(
            session,
            user_id=user_id,
            key="k",
            fingerprint=fingerprint,
            now=now,
            hold=HOLD,
            key_name="Idempotency-Key",
        )
        await session.commit()
        return answer


async def test_a_claimed_key_is_held_then_answers_every_repeat_of_its_request(container: Container) -> None:
    user = await _user_id(container)
    assert await _claim(container, user) is None

    with pytest.raises(Conflict, match="still running") as running:
        await _claim(container, user, now=NOW + HOLD)
    with pytest.raises(ValidationFailed) as other:
        await _claim(container, user, fingerprint="another request")
    async with container.sessions() as session:
        await idempotency.keep_answer(session, user_id=user, key="k", answer=Answer(201, '{"id":"b1"}'))
        await session.commit()

    assert running.value.code == "idempotency_key_in_use"
    assert other.value.field == "Idempotency-Key"
    assert await _claim(container, user, now=NOW + timedelta(days=1)) == Answer(201, '{"id":"b1"}')


async def test_a_key_held_past_its_hold_without_an_answer_is_taken_over(container: Container) -> None:
    user = await _user_id(container)
    assert await _claim(container, user) is None
    assert await _claim(container, user, now=NOW + HOLD + timedelta(seconds=1)) is None
    with pytest.raises(Conflict):
        await _claim(container, user, now=NOW + HOLD + timedelta(seconds=2))


async def test_a_released_key_is_free_and_an_answered_one_is_never_released(container: Container) -> None:
    user = await _user_id(container)
    assert await _claim(container, user) is None
    async with container.sessions() as session:
        await idempotency.release(session, user_id=user, key="k")
        await session.commit()
    assert await _claim(container, user, fingerprint="the retry, changed") is None

    async with container.sessions() as session:
        await idempotency.keep_answer(session, user_id=user, key="k", answer=Answer(303, "/bookings/b1"))
        await idempotency.release(session, user_id=user, key="k")
        await session.commit()
    assert await _claim(container, user, fingerprint="the retry, changed") == Answer(303, "/bookings/b1")


async def test_a_claim_in_the_business_transaction_is_undone_with_it(container: Container) -> None:
    """As the wizard claims: the work fails, the transaction rolls back, and the key was never taken."""
    user = await _user_id(container)
    async with container.sessions() as session:
        claimed = await idempotency.claim(
            session,
            user_id=user,
            key="k",
            fingerprint="k",
            now=NOW,
            hold=timedelta(0),
            key_name="request_key",
        )
        await session.rollback()
    async with container.sessions() as session:
        assert (claimed, await session.get(IdempotencyRecord, (user, "k"))) == (None, None)
