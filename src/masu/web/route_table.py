"""The app's routes as one flat list, however the installed FastAPI keeps the routers it includes."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from starlette.routing import BaseRoute


def flat_routes(routes: Iterable[BaseRoute]) -> Iterator[BaseRoute]:
    """Every route, those of included routers too."""
    for route in routes:
        # Recent FastAPI keeps an included router whole instead of copying its routes into the app's.
        included: Any = getattr(route, "original_router", None)
        if included is not None:
            yield from flat_routes(included.routes)
        else:
            yield route


def methods_at(routes: Iterable[BaseRoute], path: str) -> set[str]:
    """Every method some route takes at `path` (routing names only the first route it tried)."""
    methods: set[str] = set()
    for route in flat_routes(routes):
        pattern = getattr(route, "path_regex", None)
        taken: set[str] | None = getattr(route, "methods", None)
        if pattern is not None and taken and pattern.match(path):
            methods |= taken
    return methods
