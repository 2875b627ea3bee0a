"""The app factory: ``create_app(settings)`` is used by ``serve``, the tests and the
benchmarks alike. Resources are made in ``cleanup_ctx`` and kept under typed keys."""

from __future__ import annotations

import logging
from typing import AsyncIterator

from aiohttp import web

from server.config import Settings
from server.domain.passwords import Passwords
from server.domain.send_queue import SendQueue
from server.http import (
    admin_views,
    audit_views,
    auth_views,
    export_views,
    health,
    invitation_views,
    matchmaking_views,
    organisation_views,
    profile_views,
    room_views,
    thread_views,
)
from server.http import keys as app_keys
from server.http.inbound_views import routes as inbound_routes
from server.http.keys import AUTH_THROTTLE, DATABASE, MAIL, MAIL_THROTTLE, PASSWORDS, REALTIME, SEND_QUEUE, SETTINGS, SIO, TRANSACTIONS
from server.http.middleware import api_errors, refuse_cross_site, security_headers
from server.http.notification_views import routes as notification_routes
from server.http.openapi import openapi_routes
from server.http.pipeline_views import routes as pipeline_routes
from server.http.refused_requests import quiet_refused_requests
from server.http.search_views import routes as search_routes
from server.http.seed_views import routes as seed_routes
from server.http.static import add_static_routes
from server.http.throttle import Throttle
from server.mail.deliverer import MailDeliverer
from server.mail.notifier import Notifier
from server.mail.sender import make_sender
from server.realtime.handlers import Realtime
from server.realtime.publisher import SocketPublisher
from server.realtime.server import close_sio, create_sio, start_sio
from server.store.db import Database, make_engine
from server.store.schema import check_current
from server.store.transaction import Transactions

log = logging.getLogger(__name__)


async def _resources(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    db = Database(make_engine(settings.database_url, settings.sqlite_busy_timeout_ms), settings.sqlite_busy_timeout_ms)
    try:
        await check_current(db.engine)
    except Exception:
        await db.dispose()
        raise
    mail = MailDeliverer(db, make_sender(settings.smtp_url, settings.outbox_dir), settings.mail_from, settings.mail_domain)
    publisher = SocketPublisher(app[SIO], mail.wake)
    txs = Transactions(db, publisher)
    send_queue = SendQueue(txs, settings.max_message_chars)
    app[DATABASE] = db
    app[TRANSACTIONS] = txs
    app[MAIL] = mail
    app[app_keys.NOTIFIER] = Notifier(txs, settings)
    app[SEND_QUEUE] = send_queue
    app[REALTIME] = Realtime(app[SIO], settings, db, txs, send_queue)
    await start_sio(app[SIO])
    publisher.start()
    mail.start()
    app[app_keys.NOTIFIER].start()
    send_queue.start()
    yield
    await app[app_keys.NOTIFIER].stop()
    await send_queue.stop()
    await publisher.stop()
    await mail.stop()
    await db.dispose()


async def _close_connections(app: web.Application) -> None:
    """Close every Socket.IO connection so shutdown does not wait out ping timeouts;
    clients reconnect (to this process once restarted, or another) and catch up."""
    await close_sio(app[SIO])


def create_app(settings: Settings) -> web.Application:
    quiet_refused_requests()
    app = web.Application(
        middlewares=[security_headers, refuse_cross_site, api_errors],
        client_max_size=settings.max_request_bytes,
    )
    app[SETTINGS] = settings
    app[PASSWORDS] = Passwords(settings.argon2_time_cost, settings.argon2_memory_kib)
    app[AUTH_THROTTLE] = Throttle(settings.auth_attempts_per_10min, 600)
    app[MAIL_THROTTLE] = Throttle(5, 600)
    sio = create_sio(settings)
    app[SIO] = sio
    sio.attach(app)  # before the catch-all page route, so /socket.io/ wins
    app.cleanup_ctx.append(_resources)
    app.on_shutdown.append(_close_connections)
    app.router.add_routes(inbound_routes)
    for table in (health.routes, auth_views.routes, organisation_views.routes, room_views.routes, thread_views.routes, openapi_routes):
        app.router.add_routes(table)
    app.router.add_routes(invitation_views.routes)
    app.router.add_routes(notification_routes)
    app.router.add_routes(matchmaking_views.routes)
    app.router.add_routes(pipeline_routes)
    app.router.add_routes(seed_routes)
    app.router.add_routes(audit_views.routes)
    app.router.add_routes(export_views.routes)
    app.router.add_routes(profile_views.routes)
    app.router.add_routes(admin_views.routes)
    app.router.add_routes(search_routes)
    add_static_routes(app, settings.web_dir)
    return app
