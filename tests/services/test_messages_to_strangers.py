"""The person a booking is for: template text and the booker's first name only, a few SMS a day at most."""

from __future__ import annotations

import asyncio

import httpx
import sqlalchemy as sa

from masu.bootstrap import Container
from masu.persistence.models import Notification, User
from tests.factories import CUSTOMER, OTHER_CUSTOMER, THIRD_CUSTOMER, book, login, visit_at
from tests.services.test_notification_handlers import settle

STRANGER = ("052-7777777", "+972527777777")


async def _texts_to(container: Container, phone: str) -> list[Notification]:
    async with container.sessions() as session:
        query = sa.select(Notification).where(Notification.recipient == phone, Notification.channel == "sms")
        return list((await session.execute(query.order_by(Notification.created_at))).scalars())


async def test_the_person_treated_reads_only_the_bookers_first_name(
    client: httpx.AsyncClient, container: Container
) -> None:
    headers = await login(client, CUSTOMER)
    await book(client, headers, recipientName="Dana Levi", recipientPhone=STRANGER[0])
    await settle(container)
    [received] = await _texts_to(container, STRANGER[1])
    assert received.template == "booking-received"
    assert "Noa" in received.body
    assert "Cohen" not in received.body


async def test_a_name_stored_before_the_rule_never_reaches_a_stranger(
    client: httpx.AsyncClient, container: Container
) -> None:
    async with container.sessions() as session:
        advert = "WIN 5000 NIS! claim at http://evil.example/x now"
        await session.execute(sa.update(User).where(User.phone == "+972520000001").values(name=advert))
        await session.commit()
    await book(client, await login(client, CUSTOMER), recipientPhone=STRANGER[0])
    await settle(container)
    [received] = await _texts_to(container, STRANGER[1])
    assert "evil" not in received.body
    assert "5000" not in received.body
    assert "מכר/ה" in received.body  # the template's own word for the booker


async def test_a_number_nobody_verified_gets_three_sms_a_day_and_the_rest_are_recorded(
    client: httpx.AsyncClient, container: Container
) -> None:
    bookers = [await login(client, who) for who in (CUSTOMER, OTHER_CUSTOMER, THIRD_CUSTOMER)]
    hours = iter(range(9, 21, 2))
    await asyncio.gather(
        *(
            book(
                client, headers, recipientPhone=STRANGER[0], bookingDateTime=visit_at(days=3, hour_local=hour)
            )
            for headers in (*bookers, *bookers)
            for hour in [next(hours)]
        )
    )
    await asyncio.gather(settle(container), settle(container))  # two dispatchers race for the events
    texts = await _texts_to(container, STRANGER[1])
    assert [t.template for t in texts] == ["booking-received"] * 6
    assert sorted(t.status for t in texts) == ["held_back"] * 3 + ["queued"] * 3
    assert all(t.error for t in texts if t.status == "held_back")


async def test_a_verified_account_is_no_stranger(client: httpx.AsyncClient, container: Container) -> None:
    bookers = [await login(client, who) for who in (CUSTOMER, OTHER_CUSTOMER)]
    for hour, headers in zip((9, 11, 13, 15), (*bookers, *bookers), strict=True):
        await book(client, headers, recipientPhone="052-0000003", bookingDateTime=visit_at(hour_local=hour))
    await settle(container)
    assert {t.status for t in await _texts_to(container, "+972520000003")} == {"queued"}
