-- The SQL shape of one POST /api/v1/bookings (see src/masu/services/booking_creation.py), for pgbench.
--
-- Run by bench/booking_api.py as
--   pgbench -n -M prepared -c N -j J -T S -f bench/pgbench_booking.sql \
--     -D uids={id1,id2,...} -D nusers=N -D treatment=<id> -D city=<id> <database>
-- against the same tables the API writes to (the bench database is thrown away afterwards).
--
-- Each pgbench client works as one bench customer (client k locks customer k), exactly as each API
-- client books for its own account, so neither side waits on another client's row lock.
\set n :client_id % :nusers + 1
\set days random(1, 29)
BEGIN;
-- user_repository.lock_user: serialise this customer's bookings.
SELECT id AS uid FROM users WHERE id = (CAST(:uids AS varchar[]))[:n] FOR UPDATE \gset
-- booking_repository.newest_creation_times: the per-hour rate limit (the seed's count shape).
SELECT count(*) FROM bookings WHERE user_id = :uid AND created_at >= now() - interval '1 hour';
-- booking_repository.next_booking_sequence.
SELECT nextval('booking_number_seq') AS seq \gset
INSERT INTO bookings (
    id, booking_number, status, user_id, treatment_id, duration_minutes, booking_date_time, ends_at,
    created_at, updated_at, recipient_name, recipient_phone, is_for_someone_else, city_id, address_street,
    address_city, therapist_gender_preference, base_price, surcharges, total_surcharges, discount,
    final_amount, base_professional_payment, surcharges_professional_payment, payment_bonus,
    total_professional_payment, company_fee, payment_status, needs_attention
) VALUES (
    replace(gen_random_uuid()::text, '-', ''), 'MASU-' || to_char(now(), 'YYYY') || '-' || lpad(:seq::text, 6, '0'),
    'pending_professional', :uid, :treatment, 60, now() + make_interval(days => :days),
    now() + make_interval(days => :days, mins => 60), now(), now(), 'Bench Customer', '+972521234567', true,
    :city, 'Herzl 10', 'Tel Aviv', 'any', 25000, '[]'::jsonb, 0, 0, 25000, 17000, 0, 0, 17000, 8000,
    'pending', false
) RETURNING id AS booking_id \gset
INSERT INTO booking_status_history (booking_id, status, action, occurred_at, triggered_by, actor_id)
VALUES (:booking_id, 'pending_professional', 'create', now(), 'customer', :uid) RETURNING id;
INSERT INTO outbox_events (event_type, booking_id, payload, occurred_at, status, attempts, next_attempt_at)
VALUES (
    'booking.created', :booking_id,
    jsonb_build_object(
        'bookingId', CAST(:booking_id AS text), 'action', 'create', 'from', NULL, 'to', 'pending_professional',
        'triggeredBy', 'customer', 'actorId', CAST(:uid AS text), 'reason', NULL
    ),
    now(), 'pending', 0, now()
) RETURNING id;
COMMIT;
