"""`Idempotency-Key` for POSTs that create or change bookings (semantics in docs: api.md)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from datetime import timedelta

from fastapi import Request, Response
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from masu.bootstrap import Container
from masu.domain.access import Principal
from masu.domain.errors import ValidationFailed
from masu.services import idempotency
from masu.services.idempotency import Answer

HEADER = "Idempotency-Key"
# A request that holds a key longer than this is presumed dead, and a retry may take the key over.
CLAIM_LIFETIME = timedelta(seconds=60)


async def respond_idempotently(
    *,
    request: Request,
    container: Container,
    session: AsyncSession,
    principal: Principal,
    status_code: int,
    work: Callable[[], Awaitable[BaseModel]],
) -> Response:
    """Run `work` and commit; with an Idempotency-Key, replay, refuse or record as the key dictates."""
    key = _key_of(request)
    if key is None:
        body = _json(await work())
        await session.commit()
        return Response(body, status_code=status_code, media_type="application/json")
    fingerprint = _fingerprint(request.method, request.url.path, await request.body())
    # End the request's read so far (the principal lookup): the claim commits in its own transaction, and on
    # SQLite an open transaction here would hold the write lock that the claim waits for.
    await session.rollback()
    replay = await _claim(container, principal.user_id, key, fingerprint)
    if replay is not None:
        return replay
    try:
        body = _json(await work())
        answer = Answer(status_code, body)
        await idempotency.keep_answer(session, user_id=principal.user_id, key=key, answer=answer)
        await session.commit()
    except BaseException:
        await session.rollback()
        await _release(container, principal.user_id, key)
        raise
    return Response(body, status_code=status_code, media_type="application/json")


def _key_of(request: Request) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not 1 <= len(key) <= 255 or not all(" " <= ch <= "~" for ch in key):
        raise ValidationFailed(HEADER, "must be 1 to 255 printable ASCII characters")
    return key


def _fingerprint(method: str, path: str, body: bytes) -> str:
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    except ValueError:
        canonical = body
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + canonical).hexdigest()


async def _claim(container: Container, user_id: str, key: str, fingerprint: str) -> Response | None:
    """Claim the key in its own transaction; the stored answer to replay, or None when ours to run."""
    now = container.clock.now()
    async with container.sessions() as session:
        answer = await idempotency.claim(
            session,
            user_id=user_id,
            key=key,
            fingerprint=fingerprint,
            now=now,
            hold=CLAIM_LIFETIME,
            key_name=HEADER,
        )
        await session.commit()
    return _replayed(answer) if answer is not None else None


async def _release(container: Container, user_id: str, key: str) -> None:
    async with container.sessions() as session:
        await idempotency.release(session, user_id=user_id, key=key)
        await session.commit()


def _replayed(answer: Answer) -> Response:
    return Response(
        answer.body,
        status_code=answer.status,
        media_type="application/json",
        headers={"Idempotent-Replayed": "true"},
    )


def _json(model: BaseModel) -> str:
    return model.model_dump_json(by_alias=True)
