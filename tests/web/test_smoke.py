"""A customer logs in, books, and reads the booking back."""

from __future__ import annotations

import httpx

from tests.factories import CUSTOMER, book, login


async def test_customer_books_and_reads_back(client: httpx.AsyncClient) -> None:
    headers = await login(client, CUSTOMER)
    booking = await book(client, headers)
    assert booking["status"] == "pending_professional"
    read = await client.get(f"/api/v1/bookings/{booking['id']}", headers=headers)
    assert read.status_code == 200
    assert read.json()["bookingNumber"] == booking["bookingNumber"]
