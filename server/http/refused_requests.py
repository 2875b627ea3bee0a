"""Requests aiohttp's parser refuses are one line at INFO, not a traceback at ERROR.

A NUL byte in a header, an 8 KB request line, a malformed chunk: aiohttp answers 400
before any route runs, and logs "Error handling request" with the parser's traceback
on ``aiohttp.server`` at ERROR. Those are the client's mistakes (or a scanner's); an
ERROR and a traceback in our logs mean a defect of ours. This filter rewrites exactly
those records, the ones carrying an ``HttpProcessingError``, into one INFO line with
the reason; anything else aiohttp logs there stays as it is.
"""

from __future__ import annotations

import logging

from aiohttp.http_exceptions import HttpProcessingError

SERVER_LOG = "aiohttp.server"
REASON_CHARS = 200  # the reason may quote the whole offending line: keep the log line short


class RefusedRequests(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        refused = record.exc_info[1] if record.exc_info else None
        if isinstance(refused, HttpProcessingError):
            reason = (refused.message or type(refused).__name__).replace("\n", " ")
            remote = record.args[0] if isinstance(record.args, tuple) and record.args else "?"
            record.msg = "refused a request that is not valid HTTP from %s: %s (%s)"
            record.args = (remote, reason[:REASON_CHARS], type(refused).__name__)
            record.levelno, record.levelname = logging.INFO, "INFO"
            record.exc_info, record.exc_text = None, None
        return True


def quiet_refused_requests() -> None:
    """Install the filter on aiohttp's protocol logger (once per process)."""
    logger = logging.getLogger(SERVER_LOG)
    if not any(isinstance(f, RefusedRequests) for f in logger.filters):
        logger.addFilter(RefusedRequests())
