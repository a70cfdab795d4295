"""Serving the built dashboard (`dashboard/dist`) at `/`, as a single-page app.

A file that exists is served as is (hashed `assets/` files cached for a year); any other GET path
gets `index.html`, so the client-side router can take deep links like `/calls/…`. Paths under
`/api`, `/twilio` and `/healthz` never fall back: an unknown API path stays a JSON 404. The build
is looked up per request, so a dashboard built after the server started is served too.
"""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

RESERVED_PREFIXES = ("api", "twilio", "healthz")
_IMMUTABLE = "public, max-age=31536000, immutable"
_REVALIDATE = "no-cache"


def _file_in(root: Path, relative: str) -> Path | None:
    """The file at `relative` inside `root`, or None (also for `..` tricks and folders)."""
    if not relative:
        return None
    candidate = (root / relative).resolve()
    if not candidate.is_relative_to(root) or not candidate.is_file():
        return None
    return candidate


def dashboard_app(root: Path) -> Starlette:
    """A small ASGI app serving `root` (the dashboard build) with the SPA fallback."""
    resolved = root.resolve()

    async def serve(request: Request) -> Response:
        relative = request.path_params.get("path", "")
        if relative.split("/", 1)[0] in RESERVED_PREFIXES:
            return JSONResponse({"detail": "Not Found"}, status_code=404)
        index = resolved / "index.html"
        if not index.is_file():
            return JSONResponse({"detail": "the dashboard is not built"}, status_code=404)
        found = _file_in(resolved, relative)
        if found is None or found == index:
            return FileResponse(index, headers={"Cache-Control": _REVALIDATE})
        is_hashed = found.parent == resolved / "assets"
        cache = _IMMUTABLE if is_hashed else _REVALIDATE
        return FileResponse(found, headers={"Cache-Control": cache})

    return Starlette(
        routes=[Route("/{path:path}", serve, methods=["GET", "HEAD"])],
        middleware=[Middleware(GZipMiddleware, minimum_size=1024)],
    )
