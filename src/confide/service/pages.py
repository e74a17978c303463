"""Server-rendered pages: the templates, and the headers every page goes out with.

Every page shows personal data or guards it, so `render` marks each one private, uncacheable and
unframeable, with no inline script.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import Request, Response
from fastapi.templating import Jinja2Templates

PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}
"""Every page shows personal data: never cached, framed, or given inline script."""

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")


def when(moment: datetime | str) -> str:
    """A time as pages show it: '3 Mar 2026, 14:05 UTC'."""
    parsed = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    parsed = parsed.astimezone(UTC)
    return f"{parsed.day} {parsed:%b %Y, %H:%M} UTC"


TEMPLATES.env.filters["when"] = when


def render(request: Request, template: str, context: dict[str, Any], status: int = 200) -> Response:
    return TEMPLATES.TemplateResponse(
        request, template, context, status_code=status, headers=PAGE_HEADERS
    )
