"""HTTP: the JSON API under /api/v1, the portals' pages, health and metrics."""
