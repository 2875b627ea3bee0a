"""Test people: each has their own HTTP session (cookie jar) against the real server
and can open real python-socketio connections."""

from __future__ import annotations

import asyncio
import email as email_parser
import re
from email import policy as email_policy
from pathlib import Path
from typing import Any

import aiohttp
import socketio
from aiohttp.test_utils import TestServer

from server.config import Settings

from .contract_check import AnswerChecker
from .event_check import event_problem


class Person:
    def __init__(self, factory: PersonFactory, session: aiohttp.ClientSession, user: dict[str, Any]) -> None:
        self.factory = factory
        self.http = session
        self.user = user
        self.sockets: list[Socket] = []

    @property
    def id(self) -> int:
        return int(self.user["id"])

    @property
    def token(self) -> str:
        for cookie in self.http.cookie_jar:
            if cookie.key == "convene_session":
                return cookie.value
        raise AssertionError("no session cookie")

    async def call(self, method: str, path: str, json: Any = None, expect: int | None = None, **kwargs: Any) -> tuple[int, Any]:
        async with self.http.request(method, path, json=json, **kwargs) as response:
            data = await response.json() if response.content_type == "application/json" else await response.text()
            if expect is not None:
                assert response.status == expect, (response.status, data)
            if response.content_type == "application/json":
                await self.factory.check_answer(method, response.url.path, response.status, data)
            return response.status, data

    async def get(self, path: str, expect: int | None = 200, **kw: Any) -> Any:
        return (await self.call("GET", path, expect=expect, **kw))[1]

    async def post(self, path: str, json: Any = None, expect: int | None = None, **kw: Any) -> Any:
        return (await self.call("POST", path, json=json if json is not None else {}, expect=expect, **kw))[1]

    async def create_room(self, title: str, **fields: Any) -> dict[str, Any]:
        return (await self.post("/api/v1/rooms", {"title": title, **fields}, expect=201))["room"]

    async def start_thread(self, room: dict[str, Any] | int | str, title: str, body: str | None = None) -> dict[str, Any]:
        ref = room["id"] if isinstance(room, dict) else room
        payload: dict[str, Any] = {"title": title}
        if body is not None:
            payload["body"] = body
        return (await self.post(f"/api/v1/rooms/{ref}/threads", payload, expect=201))["thread"]

    async def send(self, thread_id: int, body: str, client_id: str) -> tuple[int, Any]:
        return await self.call("POST", f"/api/v1/threads/{thread_id}/messages", json={"client_id": client_id, "body": body})

    async def socket(self, **headers: str) -> Socket:
        sock = Socket(self)
        await sock.connect(headers)
        self.sockets.append(sock)
        return sock


class Socket:
    """A real python-socketio client that records every ``event`` it receives."""

    def __init__(self, person: Person) -> None:
        self.person = person
        self.client = socketio.AsyncClient(reconnection=False)
        self.events: list[dict[str, Any]] = []
        self._arrived = asyncio.Event()
        self.client.on("event", self._on_event)

    async def _on_event(self, payload: dict[str, Any]) -> None:
        problem = event_problem(payload)
        if problem is not None:
            self.person.factory.event_problems.append(problem)
        self.events.append(payload)
        self._arrived.set()

    async def connect(self, headers: dict[str, str] | None = None) -> None:
        all_headers = {"Cookie": f"convene_session={self.person.token}", **(headers or {})}
        await self.client.connect(self.person.factory.url, headers=all_headers, transports=["websocket"], wait_timeout=5)

    async def call(self, event: str, data: Any) -> dict[str, Any]:
        answer: dict[str, Any] = await self.client.call(event, data, timeout=10)
        return answer

    async def subscribe(self, rooms: dict[int, int]) -> dict[str, Any]:
        answer = await self.call("subscribe", {"rooms": {str(k): v for k, v in rooms.items()}})
        assert answer["ok"], answer
        return answer["rooms"]

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e["type"] == kind]

    async def wait_for(self, kind: str, count: int = 1, timeout: float = 5.0) -> list[dict[str, Any]]:
        async def until() -> list[dict[str, Any]]:
            while len(self.of_type(kind)) < count:
                self._arrived.clear()
                await self._arrived.wait()
            return self.of_type(kind)

        return await asyncio.wait_for(until(), timeout)

    async def barrier(self, thread_id: int) -> None:
        """Wait until everything published before now has reached this socket: mark a
        thread it can read as read and wait for that ``read`` event, which the publisher
        delivers after every event committed before it (one task, commit order). Tests
        that prove something did NOT arrive wait for this instead of sleeping."""
        before = len(self.of_type("read"))
        answer = await self.call("read", {"thread_id": thread_id, "seq": 0})
        assert answer["ok"], answer
        await self.wait_for("read", before + 1)

    async def close(self) -> None:
        if self.client.connected:
            await self.client.disconnect()


class PersonFactory:
    def __init__(self, server: TestServer, settings: Settings) -> None:
        self.server = server
        self.settings = settings
        self.url = str(server.make_url("")).rstrip("/")
        self.people: list[Person] = []
        self.sessions: list[aiohttp.ClientSession] = []
        self.answers: AnswerChecker | None = None
        self.event_problems: list[str] = []  # events off their declared shape (tests/event_check.py)

    async def check_answer(self, method: str, path: str, status: int, data: Any) -> None:
        """Check a JSON answer against the served OpenAPI document (tests/contract_check.py)."""
        if self.answers is None:
            async with self.new_session().get("/api/openapi.json") as r:
                self.answers = AnswerChecker(await r.json())
        self.answers.check(method, path, status, data)

    def new_session(self) -> aiohttp.ClientSession:
        session = aiohttp.ClientSession(base_url=self.url, cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.sessions.append(session)
        return session

    async def signup(
        self, email: str, name: str, organisation: str, *, confirm: bool = False, password: str = "correct horse battery"
    ) -> Person:
        session = self.new_session()
        body = {"email": email, "display_name": name, "organisation": organisation, "password": password}
        async with session.post("/api/v1/auth/signup", json=body) as r:
            data = await r.json()
            assert r.status == 201, data
            await self.check_answer("POST", "/api/v1/auth/signup", r.status, data)
        person = Person(self, session, data["user"])
        if confirm:
            token = await self.mailed_token(email, "/confirm?token=")
            await person.post("/api/v1/auth/confirm", {"token": token}, expect=200)
            person.user = (await person.get("/api/v1/me"))["user"]
        self.people.append(person)
        return person

    async def signin(self, email: str, password: str = "correct horse battery") -> Person:
        """Another signed-in session (another browser) of an existing account."""
        session = self.new_session()
        async with session.post("/api/v1/auth/signin", json={"email": email, "password": password}) as r:
            data = await r.json()
            assert r.status == 200, data
        person = Person(self, session, data["user"])
        self.people.append(person)
        return person

    async def mailed_token(self, email: str, marker: str, timeout: float = 5.0) -> str:
        """The newest token mailed to ``email`` behind ``marker``, read from the outbox."""
        outbox: Path = self.settings.outbox_dir

        def scan() -> str | None:
            if not outbox.is_dir():
                return None
            for path in sorted(outbox.glob("*.eml"), reverse=True):
                mail = email_parser.message_from_bytes(path.read_bytes(), policy=email_policy.default)
                text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
                if mail["To"] == email and marker in text:
                    match = re.search(re.escape(marker) + r"([A-Za-z0-9_\-]+)", text)
                    if match:
                        return match.group(1)
            return None

        deadline = asyncio.get_running_loop().time() + timeout
        while (token := scan()) is None:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"no mail to {email} with {marker}")
            await asyncio.sleep(0.02)
        return token

    async def close(self) -> None:
        for person in self.people:
            for sock in person.sockets:
                await sock.close()
        for session in self.sessions:
            await session.close()
        assert not self.event_problems, self.event_problems
