"""Every Prometheus metric of the system, declared in one place."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

HTTP_REQUESTS = Counter(
    "masu_http_requests_total",
    "HTTP requests by route and status",
    ["method", "route", "status"],
    registry=REGISTRY,
)
HTTP_LATENCY = Histogram(
    "masu_http_request_duration_seconds",
    "HTTP request latency by route",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
    registry=REGISTRY,
)
BOOKINGS_CREATED = Counter(
    "masu_bookings_created_total", "Bookings created, by city", ["city"], registry=REGISTRY
)
DOMAIN_REFUSALS = Counter(
    "masu_domain_refusals_total",
    "Requests refused by a business rule, by error code",
    ["code"],
    registry=REGISTRY,
)
MATCHING_SECONDS = Histogram(
    "masu_professional_matching_seconds",
    "Time from a booking needing a professional to its first offers going out",
    buckets=(0.1, 0.5, 1, 2, 5, 10, 30, 60, 300),
    registry=REGISTRY,
)
NOTIFICATIONS = Counter(
    "masu_notifications_total",
    "Notification delivery outcomes (sent, retried, failed, held, skipped, fallback) by channel",
    ["channel", "outcome"],
    registry=REGISTRY,
)
PROVIDER_BREAKER_OPENED = Counter(
    "masu_provider_breaker_opened_total",
    "Times a message provider's circuit breaker opened",
    ["provider"],
    registry=REGISTRY,
)
CACHE_ERRORS = Counter(
    "masu_cache_errors_total",
    "Cache calls that failed (Redis unreachable or too slow) and fell back to the database, by operation",
    ["operation"],
    registry=REGISTRY,
)
THROTTLE_STORAGE_ERRORS = Counter(
    "masu_throttle_storage_errors_total",
    "Throttle checks let through because the throttle's storage (Redis) failed",
    registry=REGISTRY,
)
