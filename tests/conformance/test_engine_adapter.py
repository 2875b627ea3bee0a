"""The private names of python-engineio and python-socketio that Convene relies on are
all in server/realtime/engine_adapter.py, still exist in the installed versions, and are
touched nowhere else in server/ (issue 17, item 6)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from server.realtime import engine_adapter

SERVER = Path(__file__).resolve().parents[2] / "server"


def test_every_private_name_the_adapter_needs_exists() -> None:
    missing = engine_adapter.missing_names()
    assert missing == [], f"the installed python-engineio/python-socketio lack: {', '.join(missing)}"


def test_a_missing_name_is_named_when_the_server_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    """install_driver refuses to run on versions without a name, and says which."""
    import engineio

    monkeypatch.delattr(engineio.AsyncServer, "_trigger_event")
    with pytest.raises(RuntimeError, match=r"engineio\.async_server\.AsyncServer\._trigger_event"):
        engine_adapter.install_driver(engineio.AsyncServer(async_mode="aiohttp"), lambda request: request, object)


# A private name of someone else's object: ``thing._name`` where ``thing`` is not self or
# cls (our own private state), or an override of a library's private method.
_FOREIGN = re.compile(r"\b(?!self\b|cls\b)[A-Za-z_][A-Za-z0-9_]*\)?\._[a-z][A-Za-z0-9_]*")
_LIBRARY_PRIVATE = ("_trigger_event", "_make_response", "_bad_request", "_unauthorized", "_cors_allowed_origins",
                    "_service_task", "_log_error_once", "_send_ping", "_websocket_handler", "_engineio_server_class",
                    "_handle_emit", "_async", "_ok", "_writer", "_paused", "_drain_helper", "_sock", "_req", "_get_socket")
# Reached through inheritance (``self._x`` in a subclass, or overridden): names distinctive
# enough that our own classes do not use them for their own state.
_INHERITED = _LIBRARY_PRIVATE[:11] + ("_drain_helper", "_get_socket")


def test_no_module_but_the_adapter_touches_a_library_private_name() -> None:
    offenders = []
    for path in sorted(SERVER.rglob("*.py")):
        if path.name == "engine_adapter.py":
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            code = line.split("#", 1)[0]
            if "``" in code or code.strip().startswith(('"', "'")):
                continue  # prose in a docstring
            names = {m.group(0).rsplit(".", 1)[1] for m in _FOREIGN.finditer(code)}
            names |= {n for n in _INHERITED if re.search(rf"\b(self|super\(\))\.{n}\b|def {n}\b", code)}
            names &= set(_LIBRARY_PRIVATE)
            if names:
                offenders.append(f"{path.relative_to(SERVER.parent)}:{number}: {', '.join(sorted(names))}")
    assert offenders == []
