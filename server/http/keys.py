"""Typed keys for what the app factory stores on the application."""

from __future__ import annotations

import socketio
from aiohttp import web

from server.config import Settings
from server.domain.passwords import Passwords
from server.domain.send_queue import SendQueue
from server.http.throttle import Throttle
from server.mail.deliverer import MailDeliverer
from server.mail.notifier import Notifier
from server.realtime.handlers import Realtime
from server.store.db import Database
from server.store.transaction import Transactions

SETTINGS = web.AppKey("settings", Settings)
DATABASE = web.AppKey("database", Database)
TRANSACTIONS = web.AppKey("transactions", Transactions)
PASSWORDS = web.AppKey("passwords", Passwords)
SEND_QUEUE = web.AppKey("send_queue", SendQueue)
MAIL = web.AppKey("mail", MailDeliverer)
SIO = web.AppKey("sio", socketio.AsyncServer)
REALTIME = web.AppKey("realtime", Realtime)
# Sign-in, sign-up and emailed links, per client address; emailed links also per address.
AUTH_THROTTLE = web.AppKey("auth_throttle", Throttle)
MAIL_THROTTLE = web.AppKey("mail_throttle", Throttle)
NOTIFIER = web.AppKey("notifier", Notifier)
