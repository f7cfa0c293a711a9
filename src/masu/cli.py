"""The `masu` command: serve, migrate, seed, manage users."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
import uvicorn
from rich.console import Console

from masu.bootstrap import build_container
from masu.config import Settings
from masu.domain.access import Role
from masu.domain.errors import DomainError
from masu.persistence.database import upgrade_database
from masu.services.accounts import Registration, register_user
from masu.services.demo_data import ADMIN_PHONE, load_demo_data

app = typer.Typer(help="Masu booking lifecycle system.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
users_app = typer.Typer(help="User accounts.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
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
    console.print(f"Serving on http://{host}:{port or settings.PORT} ({settings.DATABASE_URL.split(':')[0]})")
    uvicorn.run(
        "masu.web.asgi:application",
        factory=True,
        host=host,
        port=port or settings.PORT,
        workers=workers,
        log_level=settings.LOG_LEVEL.lower(),
        access_log=False,
    )


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
