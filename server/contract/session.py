"""The session cookie's name: part of the contract between the browser, the REST API
and the Socket.IO door (both read it)."""

SESSION_COOKIE = "convene_session"
