"""GET /api/openapi.json: the OpenAPI 3.1 description of the REST API.

The schemas are not written here: each operation names the contract shapes it reads
and answers (``server.contract``), and the components are generated from them with
the limits of the app's own Settings. A test compares the paths with the router (a
route cannot be served undescribed), and the suite checks every JSON answer it gets
against this document.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field, replace
from typing import Any

from aiohttp import web

from server import __version__
from server.config import Settings
from server.contract import (
    accounts,
    administration,
    audit,
    envelopes,
    exports,
    invitations,
    messages,
    organisations,
    profile,
    rooms,
    seeding,
)
from server.contract import inbound as inbound_mail
from server.contract import matchmaking as matching
from server.contract import notifications as notice
from server.contract import pipeline as stages
from server.contract import search as finding
from server.contract.fields import MAX_ID
from server.contract.responses import Error
from server.contract.schema import components
from server.contract.session import SESSION_COOKIE
from server.domain import gates
from server.domain.gates import Gate
from server.http.keys import SETTINGS

openapi_routes = web.RouteTableDef()
V = "/api/v1"
ERROR_STATUSES = {
    400: "invalid input (`field` names it) or malformed JSON",
    401: "not signed in",
    403: "not allowed, unconfirmed address, or cross-site request",
    404: "no such thing (or not visible to you)",
    409: "conflict",
    413: "the body is larger than MAX_REQUEST_BYTES",
    429: "too many attempts from this address (or for this email); see Retry-After",
    415: "the body is not of a type this operation reads",
}


@dataclass(frozen=True)
class Op:
    """One operation: what it reads and what it answers (shapes from the contract)."""

    summary: str
    answer: type[Any] | None
    status: int = 200
    body: type[Any] | None = None
    query: type[Any] | None = None
    errors: tuple[int, ...] = ()
    also: dict[int, type[Any]] = field(default_factory=dict)
    public: bool = False  # needs no session (a signed token in the query instead)
    media: str | None = None  # the answer is a file of this media type (a download), not JSON
    also_media: tuple[str, ...] = ()  # other media types the same download may come as
    # Who may call it beyond being signed in (``server.domain.gates``): asked before the
    # input is judged, so a refused input never answers someone who may not call it.
    who: Gate | None = None
    file: tuple[str, ...] = ()  # the body is a raw file of one of these media types (not JSON)
    headers: tuple[tuple[str, dict[str, Any]], ...] = ()  # required request headers and their schemas


LIMITED = (429,)
PATHS: dict[str, dict[str, Op]] = {
    "/healthz": {"get": Op("Health (503 while the database does not answer)", envelopes.Health)},
    f"{V}/setup": {"get": Op("Whether first-run set-up is needed", envelopes.SetupState, public=True)},
    f"{V}/session": {
        "get": Op("Who is signed in (null for nobody), whether set-up is needed, and the limits forms are checked against",
                  envelopes.SessionState, public=True)
    },
    f"{V}/auth/signup": {
        "post": Op(
            "Sign up (the first account becomes administrator)", envelopes.UserAnswer, 201, accounts.SignUp, errors=(409, 429), public=True
        )
    },
    f"{V}/auth/confirm": {
        "post": Op(
            "Confirm an email address with the emailed token", envelopes.UserAnswer, body=accounts.EmailedToken, errors=LIMITED, public=True
        )
    },
    f"{V}/auth/resend-confirmation": {"post": Op("Send the confirmation email again", envelopes.Accepted, 202, errors=(409, 429))},
    f"{V}/auth/signin": {"post": Op("Sign in with a password", envelopes.UserAnswer, body=accounts.SignIn, errors=LIMITED, public=True)},
    f"{V}/auth/link": {
        "post": Op(
            "Email a single-use sign-in link (always 202)", envelopes.Accepted, 202, accounts.LinkRequest, errors=LIMITED, public=True
        )
    },
    f"{V}/auth/link/redeem": {
        "post": Op("Sign in with an emailed link", envelopes.UserAnswer, body=accounts.EmailedToken, errors=LIMITED, public=True)
    },
    f"{V}/auth/signout": {"post": Op("Sign out this session (without one, nothing to do)", None, 204, public=True)},
    f"{V}/auth/signout-everywhere": {"post": Op("Revoke every session of this account", None, 204)},
    f"{V}/me": {"get": Op("The signed-in user", envelopes.UserAnswer)},
    f"{V}/organisations": {
        "get": Op("Organisations", envelopes.OrganisationList),
        "post": Op(
            "Create an organisation (administrators)", envelopes.OrganisationAnswer, 201, organisations.NewOrganisation, errors=(409,)
        ),
    },
    f"{V}/organisations/{{organisation_id}}": {
        "patch": Op(
            "Rename an organisation or replace its domains (administrators)",
            envelopes.OrganisationAnswer,
            body=organisations.OrganisationChanges,
            errors=(409,),
        )
    },
    f"{V}/users/{{user_id}}": {
        "patch": Op("Change a person's role or deactivate them (administrators)", envelopes.UserAnswer, body=accounts.RoleChange)
    },
    f"{V}/rooms": {
        "get": Op("Room directory, most recently active first", envelopes.RoomList, query=rooms.DirectoryQuery),
        "post": Op("Create a room (you become its owner)", envelopes.RoomAnswer, 201, rooms.NewRoom, errors=(409,)),
    },
    f"{V}/rooms/{{room}}": {
        "get": Op("A room by id or slug", envelopes.RoomAnswer),
        "patch": Op("Change a room (owners, facilitators, administrators)", envelopes.RoomAnswer, body=rooms.RoomSettings, errors=(409,)),
    },
    f"{V}/rooms/{{room}}/join": {"post": Op("Join an open room", envelopes.RoomAnswer)},
    f"{V}/rooms/{{room}}/leave": {"post": Op("Leave a room", envelopes.LeftRoom)},
    f"{V}/rooms/{{room}}/members": {
        "get": Op("Members with organisation and presence", envelopes.MemberList),
        "post": Op(
            "Invite people by address (with or without an account) or an account by id; one result per address",
            invitations.InvitationAnswer,
            201,
            invitations.InviteRequest,
        ),
    },
    f"{V}/invitations/preview": {
        "post": Op(
            "What an invitation link leads to (the room, who invited), without using it",
            invitations.InvitationPreview,
            body=invitations.InvitationLook,
            errors=LIMITED,
            public=True,
        )
    },
    f"{V}/invitations/redeem": {
        "post": Op(
            "Follow an invitation link: signs in, confirms the address, lands in the room",
            invitations.RedeemedInvitation,
            body=invitations.RedeemInvitation,
            errors=LIMITED,
            public=True,
        )
    },
    f"{V}/rooms/{{room}}/threads": {
        "get": Op("Threads by latest activity", envelopes.ThreadList),
        "post": Op("Start a thread, optionally with its first message", envelopes.StartedThread, 201, messages.NewThread, errors=(409,)),
    },
    f"{V}/rooms/{{room}}/events": {
        "get": Op("Durable room events after a sequence number (catch-up)", envelopes.CatchUp, query=rooms.EventsQuery)
    },
    f"{V}/threads/{{thread_id}}": {"get": Op("A thread", envelopes.ThreadAnswer)},
    f"{V}/threads/{{thread_id}}/messages": {
        "get": Op("A page of messages, ascending by seq", envelopes.MessagePage, query=messages.PageQuery),
        "post": Op(
            "Post a message (idempotent by client_id; 200 returns the stored one on a retry)",
            envelopes.MessageAnswer,
            201,
            messages.NewMessage,
            errors=(409,),
            also={200: envelopes.MessageAnswer},
        ),
    },
    f"{V}/threads/{{thread_id}}/follow": {
        "put": Op("Follow a thread", envelopes.ThreadAnswer),
        "delete": Op("Unfollow a thread", envelopes.ThreadAnswer),
    },
    f"{V}/threads/{{thread_id}}/read": {"put": Op("Move your read marker forward", envelopes.ThreadAnswer, body=messages.ReadMarker)},
    f"{V}/messages/{{message_id}}": {
        "get": Op("A message", envelopes.MessageAnswer),
        "patch": Op("Edit your message (history kept)", envelopes.MessageAnswer, body=messages.MessageEdit, errors=(409,)),
        "delete": Op("Delete a message (tombstone)", envelopes.MessageAnswer, errors=(409,)),
    },
    f"{V}/messages/{{message_id}}/history": {"get": Op("Earlier versions of an edited message", envelopes.History)},
    f"{V}/messages/{{message_id}}/trimmed": {
        "get": Op("What was trimmed off your reply by email (author only)", envelopes.Trimmed)
    },
    f"{V}/preview": {"post": Op("Render Markdown exactly as posting would", envelopes.Rendered, body=messages.Preview)},
}

# Email notifications (issue 8).
PATHS.update(
    {
        f"{V}/me/notifications": {
            "get": Op("Your email notification settings", notice.NotificationSettings),
            "put": Op("Change how you hear about activity by email", notice.NotificationSettings, body=notice.NotificationChoice),
        },
        f"{V}/threads/{{thread_id}}/mute": {
            "get": Op("Whether you muted a thread", notice.ThreadMute),
            "put": Op("Mute a thread: no email about it", notice.ThreadMute),
            "delete": Op("Unmute a thread", notice.ThreadMute),
        },
        f"{V}/unsubscribe": {
            "get": Op("What an unsubscribe link turns off", notice.Unsubscribed, query=notice.UnsubscribeQuery, public=True),
            "post": Op("One-click unsubscribe (RFC 8058), no session", notice.Unsubscribed, query=notice.UnsubscribeQuery, public=True),
        },
    }
)


def _content(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _download(media: str) -> dict[str, Any]:
    """The schema of a download: text, or a JSON document described in docs/ (room
    exports in docs/export-schema.md, personal data in docs/protocol.md)."""
    if media.endswith("json"):
        return {"type": "object", "description": "a JSON document described in docs/export-schema.md or docs/protocol.md"}
    return {"type": "string"}


def _path_parameters(path: str) -> list[dict[str, Any]]:
    params = []
    for name in re.findall(r"{(\w+)}", path):
        if name == "room":
            schema: dict[str, Any] = {"type": "string", "description": "an id or a slug"}
        elif name == "session_id":
            schema = {"type": "string", "pattern": "^[0-9a-f]{16}$", "description": "a session's id from GET /api/v1/me/sessions"}
        else:
            schema = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
    return params


def _query_parameters(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """Query parameters from a query shape's component schema, as
    ``server.contract.decoding.from_query`` reads them: ``null`` dropped (a parameter
    is either given or not), and an empty value refused (``minLength: 1`` on text)."""
    params = []
    for name, prop in schema.get("properties", {}).items():
        variants = [v for v in prop.get("anyOf", [prop]) if v.get("type") != "null"]
        plain = dict(variants[0]) if len(variants) == 1 else {"anyOf": variants}
        if plain.get("type") == "string" and "format" not in plain:
            plain.setdefault("minLength", 1)
        if plain.get("type") == "boolean":
            plain = {"anyOf": [{"type": "boolean"}, {"enum": ["1", "0"]}], **({"default": plain["default"]} if "default" in plain else {})}
        params.append({"name": name, "in": "query", "required": name in schema.get("required", []), "schema": plain})
    return params


def _operation(path: str, op: Op, refs: dict[type[Any], dict[str, Any]], named: dict[str, Any]) -> dict[str, Any]:
    error = refs[Error]
    responses: dict[str, Any] = {}
    answers = {op.status: op.answer, **op.also}
    for status, shape in sorted(answers.items()):
        responses[str(status)] = {"description": shape.__doc__.split("\n")[0] if shape and shape.__doc__ else op.summary}
        if shape is not None:
            responses[str(status)]["content"] = _content(refs[shape])
        elif op.media is not None and status == op.status:
            responses[str(status)]["content"] = {media: {"schema": _download(media)} for media in (op.media, *op.also_media)}
    statuses = ({400, 401, 403, 404} if path.startswith(V) else {503}) | set(op.errors) | ({413} if op.body else set())
    for status in sorted(statuses):
        schema = refs[envelopes.Health] if status == 503 else error
        responses[str(status)] = {"description": ERROR_STATUSES.get(status, "unavailable"), "content": _content(schema)}
    responses["default"] = {"description": "any other error", "content": _content(error)}
    result: dict[str, Any] = {"summary": op.summary, "responses": responses}
    parameters = _path_parameters(path)
    if op.query is not None:
        parameters += _query_parameters(named[op.query.__name__])
    parameters += [{"name": name, "in": "header", "required": True, "schema": schema} for name, schema in op.headers]
    if parameters:
        result["parameters"] = parameters
    if op.body is not None:
        result["requestBody"] = {"required": True, "content": _content(refs[op.body])}
    if op.file:
        # An absent file is an empty one: the answer names the problem (preview reports it).
        binary = {"schema": {"type": "string", "format": "binary"}}
        result["requestBody"] = {"required": False, "content": {media: binary for media in op.file}}
    if not path.startswith(V) or op.public:
        result["security"] = []
    result["x-convene-who"] = "anyone" if not path.startswith(V) or op.public else op.who.__name__ if op.who else "signed-in"
    return result


@functools.lru_cache(maxsize=16)
def document(settings: Settings) -> dict[str, Any]:
    """The document for an app with these Settings (its limits are in the schemas)."""
    shapes: list[type[Any]] = [Error]
    queries: list[type[Any]] = []
    for ops in PATHS.values():
        for op in ops.values():
            shapes += [s for s in (op.answer, op.body, op.query, *op.also.values()) if s is not None]
            queries += [op.query] if op.query is not None else []
    refs, named = components(shapes, settings, queries)
    paths = {path: {method: _operation(path, op, refs, named) for method, op in ops.items()} for path, ops in PATHS.items()}
    links(paths)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Convene",
            "version": __version__,
            "description": "Rooms and threads for teams that span organisations. See docs/protocol.md for Socket.IO.",
        },
        "servers": [{"url": "/"}],
        "components": {
            "schemas": named,
            "securitySchemes": {"session": {"type": "apiKey", "in": "cookie", "name": SESSION_COOKIE}},
        },
        "security": [{"session": []}],
        "paths": paths,
    }


@openapi_routes.get("/api/openapi.json")
async def openapi(request: web.Request) -> web.Response:
    return web.json_response(document(request.app[SETTINGS]))


# Inbound mail (issue 8): the signed webhook (its body is the raw message/rfc822, not JSON;
# headers in docs/protocol.md) and the administrators' record.
PATHS.update(
    {
        f"{V}/inbound-mail": {
            "post": Op(
                "Receive one raw RFC 5322 message (Content-Type: message/rfc822), signed with INBOUND_WEBHOOK_SECRET"
                " (X-Convene-Timestamp, X-Convene-Signature); 404 while no secret is set; 503 when it should be retried",
                inbound_mail.InboundHandled,
                errors=(413,),
                public=True,
            )
        },
        f"{V}/admin/inbound-mail": {
            "get": Op(
                "Every inbound email and its outcome, newest first (administrators)",
                inbound_mail.InboundRecordList,
                query=inbound_mail.InboundQuery,
            )
        },
    }
)


# Matchmaking (issue 9): rooms looking for collaborators, interest, requests to join, suggestions.
PATHS.update(
    {
        f"{V}/collaborations": {
            "get": Op(
                "Rooms looking for collaborators (invite-only ones too, as cards), most recently active first",
                matching.CollaborationList,
                query=matching.CollaborationQuery,
            )
        },
        f"{V}/collaborations/{{room}}": {"get": Op("One room's card and its interest by organisation", matching.CollaborationAnswer)},
        f"{V}/suggestions": {"get": Op("Rooms suggested for you, with why", matching.SuggestionList)},
        f"{V}/rooms/{{room}}/interest": {
            "get": Op("Interest shown in a room, by organisation", matching.InterestAnswer),
            "post": Op(
                'Say "we have this problem too" or "we could help"', matching.InterestAnswer, body=matching.InterestChoice, errors=(409,)
            ),
            "delete": Op("Withdraw what you said", matching.InterestAnswer, query=matching.InterestChoice),
        },
        f"{V}/rooms/{{room}}/join-requests": {
            "get": Op("Pending requests to join, oldest first (owners, facilitators, administrators)", matching.JoinRequestList),
            "post": Op("Ask to join an invite-only room you can see", matching.JoinRequestAnswer, 201, matching.AskToJoin, errors=(409,)),
            "delete": Op("Withdraw your pending request to join; answers the room's card", matching.CollaborationAnswer),
        },
        f"{V}/join-requests/{{request_id}}/accept": {
            "post": Op("Accept a request to join: the person becomes a member and is told", matching.JoinRequestAnswer, errors=(409,))
        },
        f"{V}/join-requests/{{request_id}}/decline": {
            "post": Op("Decline a request to join: the person is told", matching.JoinRequestAnswer, errors=(409,))
        },
    }
)

# The pipeline (issue 9): stage moves, their history, the board.
PATHS.update(
    {
        f"{V}/rooms/{{room}}/stage": {
            "post": Op(
                "Move a room to another stage with an optional note; incubation needs the three criteria"
                " (owners, facilitators, administrators); posts stage.moved in the room",
                stages.StageMoved,
                201,
                stages.StageMoveRequest,
                errors=(409,),
            )
        },
        f"{V}/rooms/{{room}}/stages": {"get": Op("The room's stage moves, oldest first", stages.StageHistory)},
        f"{V}/pipeline": {
            "get": Op("The pipeline board: readable rooms in columns by stage", stages.PipelineBoard, query=stages.PipelineQuery)
        },
    }
)

SEED_HEADERS = (
    ("X-Filename", {"type": "string", "pattern": "^[!-~]{1,255}$", "description": "the file's name, percent-encoded"}),
)

# Seeding an event from its workshop file, and the event pages (issue 9). The file is the
# raw body (Content-Type its type, X-Filename its percent-encoded name); with Accept:
# application/x-ndjson the answer streams progress lines first (docs/protocol.md).
PATHS.update(
    {
        f"{V}/seed/preview": {
            "post": Op(
                "Preview seeding an event from a CSV, XLSX or YAML file (raw body, X-Filename header): what would be"
                " created, changed and sent, or the file's problems by row and column (facilitators, administrators)",
                seeding.SeedReport,
                query=seeding.SeedQuery,
                errors=(413, 415),
                file=seeding.FILE_TYPES,
                headers=SEED_HEADERS,
            )
        },
        f"{V}/seed/apply": {
            "post": Op(
                "Apply a previewed seed: the same file and the preview's digest; 409 when the file or what it does changed",
                seeding.SeedReport,
                query=seeding.SeedQuery,
                errors=(409, 413, 415),
                file=seeding.FILE_TYPES,
                headers=SEED_HEADERS,
            )
        },
        f"{V}/events": {"get": Op("Seeded events, newest first, with the number of their rooms you can see", seeding.EventList)},
        f"{V}/events/{{event_id}}": {
            "get": Op("An event's rooms you can see and what has happened in them since it was seeded", seeding.EventAnswer)
        },
    }
)

# People and records (issue 12): the audit log (administrators).
PATHS.update(
    {
        f"{V}/admin/audit": {"get": Op("The audit log, newest first, filtered (administrators)", audit.AuditList, query=audit.AuditQuery)},
        f"{V}/admin/audit.csv": {
            "get": Op("Every matching audit entry as CSV, oldest first (administrators)", None, query=audit.AuditQuery, media="text/csv")
        },
        f"{V}/rooms/{{room}}/export": {
            "get": Op(
                "A room or one thread as Markdown or JSON (docs/export-schema.md), streamed (owners, administrators)",
                None,
                query=exports.ExportQuery,
                media="text/markdown",
                also_media=("application/json",),
            )
        },
        f"{V}/me": {
            "get": Op("The signed-in user", envelopes.UserAnswer),
            "patch": Op("Change your display name or declared organisation", envelopes.UserAnswer, body=profile.ProfileChanges),
        },
        f"{V}/me/email": {
            "post": Op(
                "Change your email address: a link goes to the new one, the old one is told", envelopes.Accepted, 202, profile.EmailChange,
                errors=(409, 429),
            )
        },
        f"{V}/auth/confirm-email": {
            "post": Op(
                "Follow the link sent to a new address: it becomes the account's",
                envelopes.UserAnswer,
                body=accounts.EmailedToken,
                public=True,
            )
        },
        f"{V}/me/password": {
            "post": Op("Change your password (asks for the current one); every other session ends", profile.PasswordChanged,
                       body=profile.PasswordChange)
        },
        f"{V}/me/sessions": {"get": Op("Where you are signed in, newest first", profile.SessionList)},
        f"{V}/me/sessions/{{session_id}}": {"delete": Op("End one of your sessions", None, 204)},
        f"{V}/me/delete": {
            "post": Op("Delete your account: personal data removed, messages kept as Former member", None, 204, profile.AccountDeletion)
        },
        f"{V}/me/data": {
            "get": Op("All the data held about you, as a JSON download (recorded in the audit log)", None, media="application/json")
        },
        f"{V}/admin/users": {
            "get": Op("People, filtered, in account order (administrators)", administration.PeopleList, query=administration.PeopleQuery)
        },
        f"{V}/admin/rooms": {"get": Op("Every room, invite-only ones too, with owners (administrators)", administration.AdminRoomList)},
        f"{V}/admin/rooms/{{room}}/owner": {
            "post": Op("Make a person the room's one owner (administrators)", administration.OwnerChanged, body=administration.NewOwner,
                       errors=(409,))
        },
        f"{V}/admin/users/{{user_id}}/resend-invitation": {
            "post": Op("Send an invited person a fresh link for each waiting invitation (administrators)",
                       administration.InvitationsResent, errors=(409,))
        },
        f"{V}/admin/users/{{user_id}}/data": {
            "get": Op("All the data held about a person, as a JSON download (administrators)", None, media="application/json")
        },
    }
)

# Finding and catching up (issue 11).
PATHS.update(
    {
        f"{V}/search": {
            "get": Op(
                'Full-text search of messages and thread titles in rooms you may read ("phrases", -exclusions, filters)',
                finding.SearchAnswer,
                query=finding.SearchQuery,
            )
        },
        f"{V}/similar-rooms": {
            "get": Op("Rooms that look like a draft room's idea (title and summary)", finding.SimilarRooms, query=finding.SimilarQuery)
        },
        f"{V}/inbox": {"get": Op("Threads with unread messages in your rooms, mentions first", finding.Inbox)},
        f"{V}/inbox/read": {"post": Op("Mark inbox threads (or all) read", finding.InboxMarked, body=finding.InboxRead)},
        f"{V}/mentions": {"get": Op("Messages mentioning you, newest first", finding.Mentions, query=finding.MentionsQuery)},
    }
)

# Who may call each operation beyond being signed in (``server.domain.gates``), in one
# table so a new operation is easy to check against its neighbours. The document
# states each as ``x-convene-who``; a test calls every gated operation with bad input
# as someone it refuses, and expects the refusal, not the input's problem.
GATES: dict[tuple[str, str], Gate] = {
    ("post", f"{V}/organisations"): gates.administrator,
    ("patch", f"{V}/organisations/{{organisation_id}}"): gates.administrator,
    ("patch", f"{V}/users/{{user_id}}"): gates.administrator,
    ("get", f"{V}/admin/inbound-mail"): gates.administrator,
    ("get", f"{V}/admin/audit"): gates.administrator,
    ("get", f"{V}/admin/audit.csv"): gates.administrator,
    ("get", f"{V}/admin/users"): gates.administrator,
    ("get", f"{V}/admin/rooms"): gates.administrator,
    ("post", f"{V}/admin/rooms/{{room}}/owner"): gates.administrator,
    ("post", f"{V}/admin/users/{{user_id}}/resend-invitation"): gates.administrator,
    ("get", f"{V}/admin/users/{{user_id}}/data"): gates.administrator,
    ("post", f"{V}/seed/preview"): gates.seeder,
    ("post", f"{V}/seed/apply"): gates.seeder,
    ("get", f"{V}/rooms/{{room}}"): gates.room_reader,
    ("get", f"{V}/rooms/{{room}}/members"): gates.room_reader,
    ("get", f"{V}/rooms/{{room}}/threads"): gates.room_reader,
    ("get", f"{V}/rooms/{{room}}/events"): gates.room_reader,
    ("get", f"{V}/rooms/{{room}}/stages"): gates.room_reader,
    ("patch", f"{V}/rooms/{{room}}"): gates.room_manager,
    ("post", f"{V}/rooms/{{room}}/members"): gates.room_manager,
    ("get", f"{V}/rooms/{{room}}/join-requests"): gates.room_manager,
    ("post", f"{V}/rooms/{{room}}/threads"): gates.room_poster,
    ("post", f"{V}/rooms/{{room}}/stage"): gates.stage_mover,
    ("get", f"{V}/rooms/{{room}}/export"): gates.room_exporter,
    ("get", f"{V}/collaborations/{{room}}"): gates.room_card_viewer,
    ("get", f"{V}/rooms/{{room}}/interest"): gates.room_card_viewer,
    ("post", f"{V}/rooms/{{room}}/interest"): gates.room_card_viewer,
    ("delete", f"{V}/rooms/{{room}}/interest"): gates.room_card_viewer,
    ("post", f"{V}/rooms/{{room}}/join-requests"): gates.room_card_viewer,
    ("get", f"{V}/threads/{{thread_id}}"): gates.thread_reader,
    ("get", f"{V}/threads/{{thread_id}}/messages"): gates.thread_reader,
    ("put", f"{V}/threads/{{thread_id}}/read"): gates.thread_reader,
    ("post", f"{V}/threads/{{thread_id}}/messages"): gates.thread_poster,
    ("patch", f"{V}/messages/{{message_id}}"): gates.message_author,
    ("get", f"{V}/messages/{{message_id}}/trimmed"): gates.message_author,
    ("post", f"{V}/join-requests/{{request_id}}/accept"): gates.join_decider,
    ("post", f"{V}/join-requests/{{request_id}}/decline"): gates.join_decider,
}
for (_method, _path), _gate in GATES.items():
    PATHS[_path][_method] = replace(PATHS[_path][_method], who=_gate)


def operation(template: str, method: str) -> Op | None:
    """The declared operation for a route's path template and method, if any."""
    return PATHS.get(template, {}).get(method.lower())


# OpenAPI links: where the ids an operation needs come from, so a client (and a stateful
# fuzzer) can walk from what it created or listed to everything that uses it. Each row:
# the answering operation and status, then the operations its answer leads to and the
# JSON pointer of the id in its body.
_ROOM_USES = [
    ("get", "/rooms/{room}"), ("patch", "/rooms/{room}"), ("post", "/rooms/{room}/join"), ("post", "/rooms/{room}/leave"),
    ("get", "/rooms/{room}/members"), ("post", "/rooms/{room}/members"), ("get", "/rooms/{room}/threads"),
    ("post", "/rooms/{room}/threads"), ("get", "/rooms/{room}/events"), ("get", "/rooms/{room}/export"),
    ("get", "/rooms/{room}/interest"), ("post", "/rooms/{room}/interest"), ("delete", "/rooms/{room}/interest"),
    ("get", "/rooms/{room}/join-requests"), ("post", "/rooms/{room}/join-requests"), ("delete", "/rooms/{room}/join-requests"),
    ("post", "/rooms/{room}/stage"), ("get", "/rooms/{room}/stages"), ("post", "/admin/rooms/{room}/owner"),
    ("get", "/collaborations/{room}"),
]
_THREAD_USES = [
    ("get", "/threads/{thread_id}"), ("get", "/threads/{thread_id}/messages"), ("post", "/threads/{thread_id}/messages"),
    ("put", "/threads/{thread_id}/follow"), ("delete", "/threads/{thread_id}/follow"), ("put", "/threads/{thread_id}/read"),
    ("get", "/threads/{thread_id}/mute"), ("put", "/threads/{thread_id}/mute"), ("delete", "/threads/{thread_id}/mute"),
]
_MESSAGE_USES = [
    ("get", "/messages/{message_id}"), ("patch", "/messages/{message_id}"), ("delete", "/messages/{message_id}"),
    ("get", "/messages/{message_id}/history"), ("get", "/messages/{message_id}/trimmed"),
]
_REQUEST_USES = [("post", "/join-requests/{request_id}/accept"), ("post", "/join-requests/{request_id}/decline")]
_PERSON_USES = [("patch", "/users/{user_id}"), ("post", "/admin/users/{user_id}/resend-invitation"), ("get", "/admin/users/{user_id}/data")]
LINKS: list[tuple[str, str, int, str, list[tuple[str, str]]]] = [
    ("post", "/rooms", 201, "/room/id", _ROOM_USES),
    ("get", "/rooms", 200, "/rooms/0/id", _ROOM_USES),
    ("get", "/collaborations", 200, "/rooms/0/room/id", _ROOM_USES),
    ("get", "/admin/rooms", 200, "/rooms/0/id", _ROOM_USES),
    ("post", "/rooms/{room}/threads", 201, "/thread/id", _THREAD_USES),
    ("post", "/rooms/{room}/threads", 201, "/message/id", _MESSAGE_USES),
    ("get", "/rooms/{room}/threads", 200, "/threads/0/id", _THREAD_USES),
    ("post", "/threads/{thread_id}/messages", 201, "/message/id", _MESSAGE_USES),
    ("get", "/threads/{thread_id}/messages", 200, "/messages/0/id", _MESSAGE_USES),
    ("post", "/rooms/{room}/join-requests", 201, "/join_request/id", _REQUEST_USES),
    ("get", "/rooms/{room}/join-requests", 200, "/join_requests/0/id", _REQUEST_USES),
    ("post", "/organisations", 201, "/organisation/id", [("patch", "/organisations/{organisation_id}")]),
    ("get", "/organisations", 200, "/organisations/0/id", [("patch", "/organisations/{organisation_id}")]),
    ("get", "/admin/users", 200, "/people/0/id", _PERSON_USES),
    ("get", "/events", 200, "/events/0/id", [("get", "/events/{event_id}")]),
    ("get", "/me/sessions", 200, "/sessions/0/id", [("delete", "/me/sessions/{session_id}")]),
]


def _pointer_to(path: str, method: str) -> str:
    escaped = path.replace("~", "~0").replace("/", "~1")
    return f"#/paths/{escaped}/{method}"


def links(paths: dict[str, Any]) -> None:
    """Write ``LINKS`` into the document's ``paths`` (in place)."""
    for method, source, status, pointer, uses in LINKS:
        response = paths[V + source][method]["responses"][str(status)]
        found = response.setdefault("links", {})
        for target_method, target in uses:
            [name] = re.findall(r"{(\w+)}", target)
            label = f"{target_method}_{target.strip('/').replace('/', '_').replace('{', '').replace('}', '')}"
            found[label] = {"operationRef": _pointer_to(V + target, target_method), "parameters": {name: f"$response.body#{pointer}"}}
