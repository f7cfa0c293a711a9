"""The worker loop: a pass of due work, a heartbeat, then sleep until woken (NOTIFY) or the poll interval."""

from __future__ import annotations

import asyncio
import math
import os
import socket
import time
from dataclasses import asdict
from datetime import datetime
from typing import Any

import structlog

from masu.bootstrap import Container, event_dispatcher
from masu.events.bus import BookingEventBus
from masu.events.dispatcher import DispatchReport
from masu.persistence.repositories import outbox as outbox_repository
from masu.worker.timers import TIMERS

_log = structlog.get_logger(__name__)
WAKE_CHANNEL = "masu_outbox"


class Worker:
    """Runs due work; several may run side by side because every row is claimed before it is worked on."""

    def __init__(self, container: Container, bus: BookingEventBus, *, poll_seconds: float = 1.0) -> None:
        self._container = container
        self._dispatcher = event_dispatcher(container, bus)
        self._poll_seconds = poll_seconds
        self._wake = asyncio.Event()
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self._started_at = container.clock.now()

    async def run_once(self, now: datetime) -> DispatchReport:
        """One full pass as of `now`: the timers, then every due event, then a heartbeat."""
        timers = await self._run_timers(now)
        report = await self._dispatcher.dispatch_due(now)
        await self._beat(now, {**asdict(report), **timers})
        return report

    async def _run_timers(self, now: datetime) -> dict[str, int]:
        """Every timer in its own transaction; one that fails is logged and the others still run."""
        counts = {}
        for name, timer in TIMERS.items():
            try:
                async with self._container.sessions() as session:
                    counts[name] = await timer(session, self._container, now)
                    await session.commit()
            except Exception:  # one broken timer must not starve the others; the next pass retries it
                _log.exception("timer_failed", timer=name)
                counts[name] = -1
        return counts

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Pass after pass until `stop` is set; a failing pass is logged and the loop goes on.

        A pass woken by new events runs the timers (and the heartbeat) only when they last ran a poll
        interval ago, so a stream of events is dispatched without paying for every timer each time.
        """
        listener = await self._listen()
        timers_ran = -math.inf
        try:
            while not stop.is_set():
                self._wake.clear()  # before the pass: an event committed during it wakes the next one at once
                now = self._container.clock.now()
                try:
                    if time.monotonic() - timers_ran >= self._poll_seconds:
                        timers_ran = time.monotonic()
                        await self.run_once(now)
                    else:
                        await self._dispatcher.dispatch_due(now)
                except Exception:  # the loop must outlive a database hiccup; the next pass retries
                    _log.exception("worker_pass_failed", worker=self.worker_id)
                await self._sleep(stop)
        finally:
            if listener is not None:
                await listener.close()

    async def _sleep(self, stop: asyncio.Event) -> None:
        stopping = asyncio.create_task(stop.wait())
        woken = asyncio.create_task(self._wake.wait())
        try:
            await asyncio.wait(
                {stopping, woken}, timeout=self._poll_seconds, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            for task in (stopping, woken):
                task.cancel()

    async def _listen(self) -> Any:
        """On PostgreSQL, a connection that LISTENs so committed events wake the loop at once."""
        if self._container.engine.dialect.name != "postgresql":
            return None
        connection = await self._container.engine.connect()
        driver = (await connection.get_raw_connection()).driver_connection
        if driver is None:
            await connection.close()
            return None
        await driver.add_listener(WAKE_CHANNEL, lambda *_: self._wake.set())
        return connection

    async def _beat(self, now: datetime, last_pass: dict[str, Any]) -> None:
        async with self._container.sessions() as session:
            await outbox_repository.beat(
                session, worker_id=self.worker_id, started_at=self._started_at, now=now, last_pass=last_pass
            )
            await session.commit()
