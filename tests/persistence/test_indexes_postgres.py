"""PostgreSQL plans of the hot booking queries use the indexes the schema declares for them.

20,000 bookings across 200 customers, ANALYZEd, then EXPLAIN of the exact statements the application issues
(captured from the engine while the real query functions run).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from masu.persistence.database import create_engine, create_session_factory
from masu.persistence.queries.booking import BookingFilter, list_bookings
from masu.persistence.repositories.booking import newest_creation_times

pytestmark = pytest.mark.postgres

USERS = 200
BOOKINGS = 20_000
USER_INDEX = "ix_bookings_user_id_created_at_id"
INDEX_SCANS = {"Index Scan", "Index Only Scan", "Bitmap Index Scan"}

_USERS_SQL = """
INSERT INTO users (id, name, phone, email, password_hash, gender, language,
                   notify_by_sms, notify_by_email, is_active, created_at)
SELECT md5('bulk-user-' || n), 'Bulk Customer ' || n, '+97253' || lpad(n::text, 7, '0'), NULL,
       'not-a-password-hash', NULL, 'he', true, true, true, now() - interval '60 days'
FROM generate_series(1, :users) AS n
"""

# Every NOT NULL column of `bookings`; statuses rotate so the open (partial-index) ones are a minority.
_BOOKINGS_SQL = """
INSERT INTO bookings (
    id, booking_number, status, user_id, professional_id, treatment_id, duration_minutes,
    booking_date_time, ends_at, created_at, updated_at,
    recipient_name, recipient_phone, is_for_someone_else, city_id, address_street, address_city,
    therapist_gender_preference, base_price, surcharges, total_surcharges, discount, final_amount,
    base_professional_payment, surcharges_professional_payment, payment_bonus, total_professional_payment,
    company_fee, payment_status, needs_attention)
SELECT
    md5('bulk-booking-' || n),
    'MASU-2026-' || lpad(n::text, 6, '0'),
    (ARRAY['completed', 'cancelled', 'pending_review', 'pending_professional', 'confirmed',
           'completed', 'completed', 'cancelled'])[1 + n % 8],
    md5('bulk-user-' || (1 + n % :users)),
    NULL,
    treatment.id,
    60,
    now() - n * interval '2 minutes' + interval '3 days',
    now() - n * interval '2 minutes' + interval '3 days 1 hour',
    now() - n * interval '2 minutes',
    now() - n * interval '2 minutes',
    'Bulk Recipient', '+972521234567', false, city.id, 'Herzl 10', city.name,
    'any', 25000, '[]'::jsonb, 0, 0, 25000,
    17000, 0, 0, 17000,
    8000, 'not_required', false
FROM generate_series(1, :bookings) AS n,
     (SELECT id FROM treatments WHERE name = 'Swedish Massage') AS treatment,
     (SELECT id, name FROM cities WHERE name = 'Tel Aviv') AS city
"""


@pytest.fixture
async def engine(postgres_url: str) -> AsyncIterator[AsyncEngine]:
    """The demo database plus the bulk bookings, with fresh planner statistics."""
    built = create_engine(postgres_url)
    async with built.begin() as connection:
        await connection.execute(sa.text(_USERS_SQL), {"users": USERS})
        inserted = await connection.execute(sa.text(_BOOKINGS_SQL), {"users": USERS, "bookings": BOOKINGS})
        assert inserted.rowcount == BOOKINGS
    async with built.connect() as connection:
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        await autocommit.exec_driver_sql("ANALYZE users")
        await autocommit.exec_driver_sql("ANALYZE bookings")
    yield built
    await built.dispose()


class CapturedStatements:
    """The SQL text and parameters of every statement the engine sends while capturing."""

    def __init__(self) -> None:
        self.statements: list[tuple[str, Any]] = []

    def __call__(self, _conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        self.statements.append((statement, parameters))

    def the_one_on_bookings(self) -> tuple[str, Any]:
        on_bookings = [(s, p) for s, p in self.statements if "FROM bookings" in s]
        assert len(on_bookings) == 1, self.statements
        return on_bookings[0]


@pytest.fixture
def captured(engine: AsyncEngine) -> Iterator[CapturedStatements]:
    capture = CapturedStatements()
    sa.event.listen(engine.sync_engine, "before_cursor_execute", capture)
    yield capture
    sa.event.remove(engine.sync_engine, "before_cursor_execute", capture)


async def plan_of(engine: AsyncEngine, statement: str, parameters: Any) -> list[dict[str, Any]]:
    """Every node of the plan PostgreSQL chooses for the statement with these parameters."""
    async with engine.connect() as connection:
        result = await connection.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}", parameters)
        document = result.scalar_one()
    return list(_nodes(document[0]["Plan"]))


def _nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", []):
        yield from _nodes(child)


def assert_uses_user_index(nodes: list[dict[str, Any]]) -> None:
    summary = [(n["Node Type"], n.get("Relation Name"), n.get("Index Name")) for n in nodes]
    assert any(n["Node Type"] in INDEX_SCANS and n.get("Index Name") == USER_INDEX for n in nodes), summary
    seq_scans = [n for n in nodes if n["Node Type"] == "Seq Scan" and n.get("Relation Name") == "bookings"]
    assert not seq_scans, summary


async def a_bulk_customer(engine: AsyncEngine) -> str:
    async with engine.connect() as connection:
        return str((await connection.execute(sa.text("SELECT md5('bulk-user-' || 17)"))).scalar_one())


async def test_a_customers_booking_list_reads_the_user_created_at_index(
    engine: AsyncEngine, captured: CapturedStatements
) -> None:
    user_id = await a_bulk_customer(engine)
    async with create_session_factory(engine)() as session:
        items, next_cursor = await list_bookings(
            session, BookingFilter(owner_id=user_id), limit=20, cursor=None
        )
    assert len(items) == 20
    assert next_cursor is not None  # the customer has 100 bookings: the query really ran LIMIT 21

    assert_uses_user_index(await plan_of(engine, *captured.the_one_on_bookings()))


async def test_the_hourly_rate_limit_count_reads_the_user_created_at_index(
    engine: AsyncEngine, captured: CapturedStatements
) -> None:
    user_id = await a_bulk_customer(engine)
    async with create_session_factory(engine)() as session:
        await newest_creation_times(session, user_id, after=datetime.now(UTC) - timedelta(hours=1), limit=5)

    assert_uses_user_index(await plan_of(engine, *captured.the_one_on_bookings()))


async def test_the_open_bookings_partial_index_exists_with_its_condition(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        definition = (
            await connection.execute(
                sa.text("SELECT indexdef FROM pg_indexes WHERE tablename = 'bookings' AND indexname = :name"),
                {"name": "ix_bookings_open_created_at"},
            )
        ).scalar_one()
    condition = definition.split(" WHERE ", 1)[1]
    assert "pending_professional" in condition
    assert "confirmed" in condition
