"""One request, one effect: a user's key is claimed for a request, its answer kept and replayed to repeats.

The API's `Idempotency-Key` and the booking wizard's one-time summary key share this, and the
`idempotency_keys` table. Where the caller makes the claim decides what a repeat that comes while the first
request still runs is told. Claimed in a transaction of its own, committed at once (the API), the key is
held: the repeat is refused until the first answers, or until the hold lapses and the first is presumed dead.
Claimed in the business transaction (the wizard), the repeat's claim waits for that transaction and then
finds the answer, or the key free again if it rolled back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from masu.domain.errors import Conflict, ValidationFailed
from masu.persistence.repositories import idempotency as keys

IN_USE = "idempotency_key_in_use"


@dataclass(frozen=True, slots=True)
class Answer:
    """What a finished request answered (a status and a body), to be given again to a repeat of it."""

    status: int
    body: str


async def claim(
    session: AsyncSession,
    *,
    user_id: str,
    key: str,
    fingerprint: str,
    now: datetime,
    hold: timedelta,
    key_name: str,
) -> Answer | None:
    """Claim `key` for the user's request: None when it is the caller's to run, else the answer to replay.

    ValidationFailed on `key_name` (how the client sent the key) when the key came with another request
    (another fingerprint); Conflict `idempotency_key_in_use` while another request holds the key without an
    answer, until `hold` after its claim, when the key is taken over.
    """
    held_until = now + hold
    if await keys.try_claim(
        session, user_id=user_id, key=key, fingerprint=fingerprint, now=now, locked_until=held_until
    ):
        return None
    record = await keys.get_record(session, user_id=user_id, key=key)
    if record is None:
        raise Conflict(f"this {key_name} is being released; retry", code=IN_USE)
    if record.request_fingerprint != fingerprint:
        raise ValidationFailed(key_name, "this key was already used with a different request")
    if record.response_status is not None and record.response_body is not None:
        return Answer(record.response_status, record.response_body)
    if not await keys.take_over_stale(session, user_id=user_id, key=key, now=now, locked_until=held_until):
        raise Conflict(f"a request with this {key_name} is still running", code=IN_USE)
    return None


async def keep_answer(session: AsyncSession, *, user_id: str, key: str, answer: Answer) -> None:
    """Store the answer to replay it, in the caller's transaction: it commits with the work it answers."""
    await keys.store_response(session, user_id=user_id, key=key, status=answer.status, body=answer.body)


async def release(session: AsyncSession, *, user_id: str, key: str) -> None:
    """Forget a key whose request failed before answering, so that a retry with it runs."""
    await keys.release(session, user_id=user_id, key=key)
