"""The `masu` command: serve, migrate, seed, manage users."""

from __future__ import annotations

import asyncio
import os
import signal
from datetime import datetime
from typing import Annotated

import typer
import uvicorn
from rich.console import Console
from rich.table import Table

from masu.bootstrap import build_container
from masu.clock import SettableClock
from masu.config import Settings
from masu.domain.access import Role
from masu.domain.errors import DomainError
from masu.events.dispatcher import DispatchReport
from masu.persistence.database import upgrade_database
from masu.persistence.models import OutboxEvent
from masu.persistence.repositories import outbox as outbox_repository
from masu.services.account.accounts import Registration, register_user
from masu.services.account.phone_codes import mark_phone_verified
from masu.services.operations.demo_data import ADMIN_PHONE, load_demo_data
from masu.worker.runner import Worker

app = typer.Typer(help="Masu booking lifecycle system.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
users_app = typer.Typer(help="User accounts.", no_args_is_help=True)
events_app = typer.Typer(help="The event log and its dead letters.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(events_app, name="events")
console = Console()


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int | None, typer.Option(help="Port (default: PORT, 8000).")] = None,
    workers: Annotated[int, typer.Option(help="Server processes.")] = 1,
    no_worker: Annotated[bool, typer.Option("--no-worker", help="Do not run background work here.")] = False,
) -> None:
    """Migrate the database, then serve the API and pages."""
    settings = Settings()
    upgrade_database(settings.DATABASE_URL)
    if no_worker:
        # Read by every server process's app factory (uvicorn starts them with this environment).
        os.environ["RUN_WORKER_IN_PROCESS"] = "false"
    console.print(f"Serving on http://{host}:{port or settings.PORT} ({settings.DATABASE_URL.split(':')[0]})")
    uvicorn.run(
        "masu.asgi:application",
        factory=True,
        host=host,
        port=port or settings.PORT,
        workers=workers,
        log_level=settings.LOG_LEVEL.lower(),
        access_log=False,
        # The client address is the app's to judge (TRUSTED_PROXIES), never X-Forwarded-For taken on trust.
        proxy_headers=False,
    )


@app.command()
def worker(
    once: Annotated[bool, typer.Option("--once", help="Run one pass and exit.")] = False,
    at: Annotated[
        str | None, typer.Option("--at", help="With --once: run the pass as of this ISO time.")
    ] = None,
) -> None:
    """Run the event dispatcher and the timers (until SIGTERM), or one pass with --once."""
    moment = _parse_moment(at) if at is not None else None
    if moment is not None and not once:
        raise typer.BadParameter("--at only makes sense with --once", param_hint="--at")
    if once:
        report = asyncio.run(_one_pass(moment))
        counts = (
            f"{report.events} events, {report.handled} handled, {report.failed} failed, {report.dead} dead"
        )
        console.print(f"Pass done: {counts}")
        return
    asyncio.run(_run_worker())


@events_app.command("list")
def events_list(
    dead: Annotated[bool, typer.Option("--dead", help="Only dead-lettered events.")] = False,
    limit: Annotated[int, typer.Option(help="How many, newest first.")] = 50,
) -> None:
    """Show the newest events (or the dead letters) with their state."""
    rows = asyncio.run(_list_events(dead, limit))
    table = Table("id", "type", "booking", "status", "attempts", "occurred", "last error")
    for event in rows:
        table.add_row(
            str(event.id),
            event.event_type,
            event.booking_id or "",
            event.status,
            str(event.attempts),
            event.occurred_at.isoformat(),
            (event.last_error or "")[:80],
        )
    console.print(table)


@events_app.command("retry")
def events_retry(event_id: Annotated[int, typer.Argument(help="Id of a dead event.")]) -> None:
    """Queue a dead-lettered event again (its dead handlers get new attempts)."""
    if not asyncio.run(_retry_event(event_id)):
        console.print(f"[red]Event {event_id} is not dead-lettered.[/red]")
        raise typer.Exit(code=1)
    console.print(f"Event {event_id} queued again.")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration to DATABASE_URL."""
    settings = Settings()
    upgrade_database(settings.DATABASE_URL)
    console.print("Database is up to date.")


@app.command()
def seed(demo: Annotated[bool, typer.Option("--demo", help="Load the demo data.")] = False) -> None:
    """Load data into the database (idempotent)."""
    if not demo:
        raise typer.BadParameter("say what to load: --demo")
    if Settings().is_production:
        console.print(
            "[red]Refused:[/red] the demo data (users with published passwords) is never loaded with "
            "NODE_ENV=production."
        )
        raise typer.Exit(code=1)
    added = asyncio.run(_seed_demo())
    console.print("Demo data loaded." if added else "Demo data was already there.")
    console.print(f"Admin login: {ADMIN_PHONE} / admin-demo-pass (see README for the rest)")


@users_app.command("create-admin")
def create_admin(
    phone: Annotated[str, typer.Option(help="Israeli mobile number.")],
    password: Annotated[str, typer.Option(help="At least 8 characters.")],
    name: Annotated[str, typer.Option(help="Display name.")],
) -> None:
    """Create an administrator account."""
    if len(password) < 8:
        raise typer.BadParameter("the password needs at least 8 characters", param_hint="--password")
    try:
        user_id = asyncio.run(_create_admin(phone, password, name))
    except DomainError as refused:
        console.print(f"[red]Not created:[/red] {refused.message}")
        raise typer.Exit(code=1) from refused
    console.print(f"Admin created: {user_id}")


@users_app.command("verify-phone")
def verify_phone(phone: Annotated[str, typer.Option(help="The account's Israeli mobile number.")]) -> None:
    """Mark an account's phone as verified (the owner proved it another way) so it may book."""
    try:
        user_id = asyncio.run(_verify_phone(phone))
    except DomainError as refused:
        console.print(f"[red]Not verified:[/red] {refused.message}")
        raise typer.Exit(code=1) from refused
    console.print(f"Phone verified for user {user_id}")


async def _verify_phone(phone: str) -> str:
    container = build_container()
    try:
        async with container.sessions() as session:
            user = await mark_phone_verified(session, phone=phone, now=container.clock.now())
            await session.commit()
            return user.id
    finally:
        await container.close()


async def _seed_demo() -> bool:
    container = build_container()
    try:
        async with container.sessions() as session:
            added = await load_demo_data(session, now=container.clock.now(), passwords=container.passwords)
            await session.commit()
        return added
    finally:
        await container.close()


async def _create_admin(phone: str, password: str, name: str) -> str:
    container = build_container()
    try:
        async with container.sessions() as session:
            registration = Registration(name=name, phone=phone, password=password, language="en")
            user = await register_user(
                session,
                now=container.clock.now(),
                registration=registration,
                roles={Role.ADMIN},
                passwords=container.passwords,
            )
            await session.commit()
            return user.id
    finally:
        await container.close()


def _parse_moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise typer.BadParameter("an ISO time such as 2026-12-01T10:00:00+02:00", param_hint="--at") from exc
    if moment.tzinfo is None:
        raise typer.BadParameter("needs a UTC offset, e.g. 2026-12-01T10:00:00+02:00", param_hint="--at")
    return moment


async def _one_pass(moment: datetime | None) -> DispatchReport:
    container = build_container(clock=SettableClock(moment) if moment else None)
    try:
        return await Worker(container, container.bus).run_once(container.clock.now())
    finally:
        await container.close()


async def _run_worker() -> None:
    container = build_container()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        console.print("Worker running; SIGTERM or Ctrl-C stops it after the current pass.")
        await Worker(
            container, container.bus, poll_seconds=container.settings.WORKER_POLL_SECONDS
        ).run_forever(stop)
    finally:
        await container.close()
    console.print("Worker stopped.")


async def _list_events(dead: bool, limit: int) -> list[OutboxEvent]:
    container = build_container()
    try:
        async with container.sessions() as session:
            return await outbox_repository.list_events(session, dead_only=dead, limit=limit)
    finally:
        await container.close()


async def _retry_event(event_id: int) -> bool:
    container = build_container()
    try:
        async with container.sessions() as session:
            retried = await outbox_repository.retry_dead(
                session, event_id=event_id, now=container.clock.now()
            )
            await session.commit()
            return retried
    finally:
        await container.close()
