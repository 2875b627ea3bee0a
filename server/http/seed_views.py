"""The facilitator page's doors: seed an event from its workshop file (preview, then
apply exactly what was previewed), and the event pages.

The file is the raw request body (see ``server.contract.seeding`` for the headers),
read up to ``seed_files.MAX_BYTES``; a larger body is refused (413) before anything is
parsed, and a type that is no spreadsheet or YAML file is refused (415).

Progress. Decision: the request that runs the seed reports its own progress, not
Socket.IO. A client that sends ``Accept: application/x-ndjson`` receives JSON lines:
``{"type": "progress", "done": n, "total": t}`` while the seed runs (coalesced, one
line per burst), then one last line with the report or the error (``SeedDone`` /
``SeedFailed``; the HTTP status is already 200 by then, so the error carries its own).
Progress belongs to one uncommitted transaction that may still roll back (a preview
always does), so it is not sent as a room or personal event: those are emitted only
after commit, and what the seed created is announced then, as any write is. Without
that Accept header the answer is the plain JSON report (tests, scripts, curl).
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Awaitable, Callable
from urllib.parse import unquote

from aiohttp import web

from server.config import Settings
from server.contract.seeding import FILE_TYPES, SeedQuery
from server.domain import access, seed_events
from server.domain.errors import DomainError, Invalid
from server.domain.seed_files import MAX_BYTES, SeedPlan, read_seed
from server.domain.seed_reports import apply_previewed, report_json
from server.domain.seeding import DryRun, SeedReport, apply_seed, steps
from server.http.common import current_user, ok, path_int, read_query
from server.http.inbound_views import TooLarge, UnsupportedMediaType
from server.http.keys import DATABASE, SETTINGS, TRANSACTIONS
from server.http.middleware import STATUS
from server.store.models import User
from server.vocabulary import STAGES

log = logging.getLogger(__name__)
routes = web.RouteTableDef()
NDJSON = "application/x-ndjson"
Run = Callable[[Callable[[int], None]], Awaitable[dict[str, Any]]]


async def _upload(request: web.Request) -> tuple[bytes, str]:
    """The file (raw body) and its name (``X-Filename``), refused when it is of an
    unknown type or larger than a seed file may be."""
    if request.content_type not in FILE_TYPES:
        raise UnsupportedMediaType(
            f"send the file as the body with its type (such as text/csv or the .xlsx type), not {request.content_type}", "Content-Type"
        )
    name = unquote(request.headers.get("X-Filename", "")).strip()
    if not name or len(name) > 255:
        raise Invalid("give the file's name (1 to 255 characters) in the X-Filename header, percent-encoded", "X-Filename")
    kept = bytearray()
    async for chunk in request.content.iter_chunked(64 * 1024):
        kept += chunk
        if len(kept) > MAX_BYTES:
            raise TooLarge(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB; split it into several files", "file")
    return bytes(kept), name


async def _plan(request: web.Request) -> tuple[User, SeedQuery, SeedPlan, bytes]:
    user = await current_user(request)
    access.require_seeder(user)  # before reading a file nobody may apply
    query = read_query(request, SeedQuery)
    data, name = await _upload(request)
    settings: Settings = request.app[SETTINGS]
    # Reading a large workbook takes a while: off the event loop, which serves everyone.
    plan = await asyncio.to_thread(read_seed, data, name, stages=STAGES, event_name=query.event, max_title_chars=settings.max_title_chars)
    return user, query, plan, data


async def _answer(request: web.Request, run: Run, total: int) -> web.StreamResponse:
    """Run the seed (``run``) and answer its report: plain JSON, or progress lines then
    the report when the client asked for NDJSON (see the module's doc)."""
    if NDJSON not in request.headers.get("Accept", ""):
        return ok(await run(lambda _: None))
    # "no-cache", not "no-store": Chromium reports a no-store fetch stream read to its end
    # as an aborted request (a console full of failures for answers of 200); the answer to
    # a POST is never cached either way.
    headers = {"Content-Type": NDJSON, "Cache-Control": "private, no-cache", "X-Content-Type-Options": "nosniff"}
    response = web.StreamResponse(headers=headers)
    await response.prepare(request)
    steps_done: asyncio.Queue[int | None] = asyncio.Queue()  # None: the seed is over

    async def write(line: dict[str, Any]) -> None:
        await response.write((json.dumps(line, ensure_ascii=False) + "\n").encode())

    async def report_progress() -> None:
        """One line per burst of steps. A browser that went away stops the reporting,
        not the seed: what it applies is committed and shows on the event page."""
        done, over = 0, False
        while not over:
            burst = [await steps_done.get()]
            while not steps_done.empty():
                burst.append(steps_done.get_nowait())
            over = None in burst
            done += sum(n for n in burst if n is not None)
            try:
                await write({"type": "progress", "done": min(done, total), "total": total})
            except ConnectionError:
                return

    writer = asyncio.create_task(report_progress())
    steps_done.put_nowait(0)
    last: dict[str, Any]
    try:
        last = {"type": "report", "report": await run(steps_done.put_nowait)}
    except DomainError as error:
        last = {"type": "error", "status": STATUS.get(error.code, 400), "error": error.as_dict()}
    except Exception:
        log.exception("seeding failed on %s", request.path)
        last = {
            "type": "error",
            "status": 500,
            "error": {"code": "internal", "message": "something went wrong; nothing was written", "field": None},
        }
    steps_done.put_nowait(None)
    await writer
    try:
        await write(last)
        await response.write_eof()
    except ConnectionError:
        log.info("%s: the client left before the answer; the seed's outcome stands", request.path)
    return response


@routes.post("/api/v1/seed/preview")
async def preview(request: web.Request) -> web.StreamResponse:
    """Exactly what applying would create, change and send: the seed run as the
    signed-in person and rolled back (``--dry-run``), or the file's problems."""
    user, _, plan, data = await _plan(request)
    if not plan.applicable:
        return ok(report_json(plan, None, data, applied=False))
    settings = request.app[SETTINGS]

    async def run(progress: Callable[[int], None]) -> dict[str, Any]:
        report: SeedReport
        try:
            async with request.app[TRANSACTIONS].begin() as tx:
                raise DryRun(await apply_seed(tx, settings, user, plan, progress))
        except DryRun as done:
            report = done.report
        return report_json(plan, report, data, applied=False)

    return await _answer(request, run, steps(plan))


@routes.post("/api/v1/seed/apply")
async def apply(request: web.Request) -> web.StreamResponse:
    """Apply the previewed seed: committed only when the file and what it does are
    still exactly what the preview with digest ``preview`` showed (409 otherwise)."""
    user, query, plan, data = await _plan(request)
    if query.preview is None:
        raise Invalid("confirm a preview: give the preview digest the preview answered", "preview")
    settings, confirmed = request.app[SETTINGS], query.preview

    async def run(progress: Callable[[int], None]) -> dict[str, Any]:
        async with request.app[TRANSACTIONS].begin() as tx:
            return await apply_previewed(tx, settings, user, plan, data, confirmed, progress)

    return await _answer(request, run, steps(plan))


@routes.get("/api/v1/events")
async def list_events(request: web.Request) -> web.Response:
    user = await current_user(request)
    async with request.app[DATABASE].read() as session:
        return ok({"events": await seed_events.list_events(session, user)})


@routes.get("/api/v1/events/{event_id}")
async def get_event(request: web.Request) -> web.Response:
    user = await current_user(request)
    async with request.app[DATABASE].read() as session:
        return ok({"event": await seed_events.event_view(session, user, path_int(request, "event_id"))})
