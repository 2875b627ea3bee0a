"""Storage faults: the database refusing a write for a reason outside the request.

Locked by another process past the busy timeout, read-only, out of space, an I/O error:
nothing was written (SQLite rolls the statement or the transaction back), the server
itself is fine, and the same request succeeds once the fault clears. The doors answer
these as ``unavailable`` (503 over HTTP), logged as one warning line without a
traceback, instead of an internal error: a traceback in the log means a defect, and
this is the machine, not the code.
"""

from __future__ import annotations

import sqlite3

from sqlalchemy.exc import DBAPIError

# SQLite's primary result codes (the low byte of an extended code) that say the storage,
# not the statement, refused: BUSY 5, LOCKED 6, READONLY 8, IOERR 10, FULL 13, CANTOPEN 14.
_REASONS = {
    sqlite3.SQLITE_BUSY: "the database is locked by another process",
    sqlite3.SQLITE_LOCKED: "the database is locked",
    sqlite3.SQLITE_READONLY: "the database is read-only",
    sqlite3.SQLITE_IOERR: "the database could not be written (an I/O error)",
    sqlite3.SQLITE_FULL: "the database's disk is full",
    sqlite3.SQLITE_CANTOPEN: "the database file could not be opened",
}


def storage_fault(error: BaseException) -> str | None:
    """Why the storage refused, if ``error`` is a storage fault (raw ``sqlite3`` from the
    send writer, or wrapped by SQLAlchemy); None for anything else."""
    if isinstance(error, DBAPIError):
        if error.connection_invalidated:
            return "the connection to the database was lost"
        error = error.orig if isinstance(error.orig, BaseException) else error
    code = getattr(error, "sqlite_errorcode", None)
    if isinstance(error, sqlite3.Error) and isinstance(code, int):
        return _REASONS.get(code & 0xFF)
    # aiosqlite re-raises the driver's exceptions; asyncpg's disk-full and read-only
    # states arrive as SQLSTATE classes 53 (insufficient resources) and 25006.
    sqlstate = getattr(error, "sqlstate", None)
    if isinstance(sqlstate, str) and (sqlstate.startswith("53") or sqlstate == "25006"):
        return "the database refused the write (out of resources or read-only)"
    return None
