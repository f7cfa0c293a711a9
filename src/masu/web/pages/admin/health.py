"""The admins' system-health page: dependencies, workers, outbox and its dead letters, providers, bookings."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from masu.domain.errors import Conflict, NotFound
from masu.services.operations.health import check_health
from masu.services.operations.outbox import dead_letters, replay_dead_letter
from masu.services.operations.system_status import SystemStatus, system_status
from masu.web.deps import ContainerDep, NowDep, SessionDep
from masu.web.pages.admin.common import CATALOGUES, Csrf, local
from masu.web.ui.render import not_found, page_texts, redirect, render
from masu.web.ui.session import AdminUserDep

if TYPE_CHECKING:
    from masu.persistence.queries.dead_letter import DeadLetter

router = APIRouter(tags=["pages"], include_in_schema=False)


@router.get("/admin/system-health", response_class=HTMLResponse)
async def system_health(
    request: Request, admin: AdminUserDep, container: ContainerDep, now: NowDep, session: SessionDep
) -> Response:
    """The checks /health runs, the providers' breakers, background work, dead letters and bookings now."""
    status = await system_status(session, now)
    dead = await dead_letters(session)
    # Give the connection back before the checks take their own: an embedded database has only one.
    await session.close()
    report = await check_health(container.engine, container.redis)
    context: dict[str, Any] = {
        "portal": "admin",
        "checks": report.details,
        "breakers": await container.providers.breaker_states(),
        "status": _shown(status),
        "dead": [_dead_shown(letter) for letter in dead],
        "message": _replay_message(request),
    }
    return render(request, "admin/system_health.html", context, catalogues=CATALOGUES)


@router.post("/admin/system-health/dead-letters/{event_id}/replay", response_class=HTMLResponse)
async def replay(
    event_id: str,
    request: Request,
    _csrf: Csrf,
    admin: AdminUserDep,
    now: NowDep,
    session: SessionDep,
) -> Response:
    """Put a dead-lettered event back in the queue; back to the page saying what happened."""
    if not _looks_like_event_id(event_id):
        return not_found(request, "admin")
    try:
        await replay_dead_letter(session, admin=admin, event_id=int(event_id), now=now)
        await session.commit()
        outcome = "replayed"
    except (NotFound, Conflict) as refused:
        await session.rollback()
        outcome = "replay_missing" if isinstance(refused, NotFound) else "replay_refused"
    return redirect(request, f"/admin/system-health?{outcome}={event_id}#dead-title")


def _replay_message(request: Request) -> dict[str, Any] | None:
    """The notice a replay left in the query string (`?replayed=<id>` and the refusals), or None."""
    for key in ("replayed", "replay_refused", "replay_missing"):
        event_id = request.query_params.get(key, "")
        if _looks_like_event_id(event_id):
            text = page_texts(request, *CATALOGUES)[key].replace("{id}", event_id)
            return {"text": text, "error": key != "replayed"}
    return None


def _looks_like_event_id(value: str) -> bool:
    """True for a positive whole number that fits an event id (a 64-bit integer)."""
    return value.isascii() and value.isdigit() and len(value) <= 19 and 0 < int(value) < 2**63


def _dead_shown(letter: DeadLetter) -> dict[str, Any]:
    """A dead letter as the table shows it: local time, handlers' names and the last error known."""
    errors = [h.last_error for h in letter.handlers if h.last_error]
    return {
        "id": letter.event_id,
        "type": letter.event_type,
        "booking_id": letter.booking_id,
        "booking_number": letter.booking_number,
        "handlers": [h.name for h in letter.handlers],
        "error": letter.last_error or (errors[0] if errors else ""),
        "attempts": max([letter.attempts, *(h.attempts for h in letter.handlers)]),
        "when": local(letter.occurred_at),
    }


def _shown(status: SystemStatus) -> dict[str, Any]:
    """The status with times in Israel's clock and durations rounded for reading."""
    return {
        "workers": [
            {
                "id": w.worker_id,
                "started": local(w.started_at),
                "last_seen": local(w.last_seen_at),
                "age": round(w.age_seconds),
                "fresh": w.fresh,
                "last_pass": sorted(w.last_pass.items()),
            }
            for w in status.workers
        ],
        "outbox_lag": None if status.outbox_lag_seconds is None else round(status.outbox_lag_seconds),
        "dead_letters": status.dead_letters,
        "active": status.active_bookings,
        "median": None if status.median_response_seconds is None else round(status.median_response_seconds),
        "answers": status.responses_counted,
    }
