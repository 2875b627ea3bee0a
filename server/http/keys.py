"""Typed keys for what the app factory stores on the application."""

from __future__ import annotations

import socketio
from aiohttp import web

from ..config import Settings
from ..db import Database
from ..mail.deliverer import MailDeliverer
from ..passwords import Passwords
from ..realtime import Realtime
from ..send_queue import SendQueue
from ..transaction import Transactions
from .throttle import Throttle

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
