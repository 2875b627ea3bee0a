// @ts-check
// The server's objects and events (docs/protocol.md) as JSDoc types, for the type
// checker only: this module exports no values.

/** @typedef {{name: string, verified: boolean}} Organisation */

/**
 * @typedef {object} User
 * @property {number} id
 * @property {string} display_name
 * @property {Organisation | null} [organisation]
 * @property {"member" | "facilitator" | "administrator"} [role]
 * @property {string} [email]
 * @property {boolean} [email_confirmed]
 */

/**
 * The bounds the server checks (GET /api/v1/session), checked first in the browser.
 * @typedef {object} Limits
 * @property {number} message_chars
 * @property {number} title_chars
 * @property {number} summary_chars
 * @property {number} display_name_chars
 * @property {number} organisation_chars
 * @property {number} tag_chars
 * @property {number} tags
 * @property {number} email_chars
 * @property {string} email_pattern
 * @property {number} password_min_chars
 * @property {number} password_max_chars
 * @property {number} invitees
 */

/**
 * A room. `membership`, `unread_count` and `can_manage` are per reader: REST answers
 * carry them, the room inside a `room.updated` event does not.
 * @typedef {object} Room
 * @property {number} id
 * @property {string} slug
 * @property {string} title
 * @property {string} [summary]
 * @property {string} [summary_html]
 * @property {string} stage
 * @property {"open" | "invite"} visibility
 * @property {string[]} tags
 * @property {boolean} looking_for_collaborators
 * @property {number} member_count
 * @property {number} last_seq
 * @property {string | null} [last_activity_at]
 * @property {"owner" | "member" | null} [membership]
 * @property {number} [unread_count]
 * @property {boolean} [can_manage]
 * @property {import("./collaboration.js").Involvement} [involvement]
 * @property {Criteria | null} [incubation_criteria]
 */

/** The programme's three incubation criteria. @typedef {{user_need: string, cost_benefit: string, rapid_success: string}} Criteria */

/**
 * One move of a room along the pipeline (GET /rooms/{room}/stages, and stage.moved).
 * @typedef {object} StageMove
 * @property {number} id
 * @property {number} room_id
 * @property {number} seq
 * @property {string} from_stage
 * @property {string} to_stage
 * @property {string} note
 * @property {Criteria | null} criteria
 * @property {User | null} moved_by
 * @property {string} moved_at
 */

/**
 * A room on the pipeline board (GET /pipeline).
 * @typedef {object} PipelineCard
 * @property {number} id
 * @property {string} slug
 * @property {string} title
 * @property {string} stage
 * @property {string[]} tags
 * @property {boolean} looking_for_collaborators
 * @property {number} member_count
 * @property {string} last_activity_at
 * @property {number} recent_message_count
 * @property {{name: string, kind: string | null, verified: boolean, members: number}[]} organisations
 * @property {Criteria | null} incubation_criteria
 * @property {{id: number, name: string} | null} event
 * @property {boolean} can_move
 */
/** @typedef {{columns: {stage: string, rooms: PipelineCard[]}[], events: {id: number, name: string}[]}} PipelineBoard */

/**
 * A thread. `unread_count`, `following` and `last_read_seq` are per reader (absent
 * in events). `known_seq` is the client's own note: the room seq up to which the
 * counts are exact (set for threads first seen in an event).
 * @typedef {object} Thread
 * @property {number} id
 * @property {number} room_id
 * @property {string} title
 * @property {number} [seq]
 * @property {User | null} [created_by]
 * @property {string} [created_at]
 * @property {string | null} [last_activity_at]
 * @property {number} [message_count]
 * @property {number} [unread_count]
 * @property {boolean} [following]
 * @property {number} [last_read_seq]
 * @property {number} [known_seq]
 */

/**
 * @typedef {object} Message
 * @property {number} id
 * @property {number} room_id
 * @property {number} thread_id
 * @property {number} seq
 * @property {string | null} [client_id]
 * @property {User | null} author
 * @property {string} body
 * @property {string} html
 * @property {string} created_at
 * @property {string | null} [edited_at]
 * @property {boolean} deleted
 * @property {number[]} [mentions]
 * @property {boolean} [trimmed]  quoted text or a signature was cut off this reply by email
 */

/**
 * @typedef {object} Member
 * @property {User} user
 * @property {string} role
 * @property {string} [joined_at]
 * @property {boolean} [online]
 */

/** @typedef {{type: "message.created" | "message.edited" | "message.deleted", room_id: number, seq: number, message: Message}} MessageEvent */
/** @typedef {{type: "thread.created", room_id: number, seq: number, thread: Thread}} ThreadCreatedEvent */
/** @typedef {{type: "stage.moved", room_id: number, seq: number, move: StageMove}} StageMovedEvent */
/** @typedef {MessageEvent | ThreadCreatedEvent | StageMovedEvent} DurableEvent */

/** @typedef {{type: "member.joined", room_id: number, user: User, role?: string}} MemberJoinedEvent */
/** @typedef {{type: "member.left", room_id: number, user: User}} MemberLeftEvent */
/** @typedef {{type: "room.updated", room_id: number, room: Partial<Room>}} RoomUpdatedEvent */
/** @typedef {{type: "room.access_lost", room_id: number}} AccessLostEvent */
/** @typedef {{type: "typing", room_id: number, thread_id: number, user: User}} TypingEvent */
/** @typedef {{type: "presence", room_id: number, online: number[]}} PresenceEvent */
/** @typedef {{type: "presence.changed", room_id: number, came: number[], went: number[]}} PresenceChangedEvent */
/** @typedef {{type: "read", room_id: number, thread_id: number, last_read_seq: number, unread_count: number}} ReadEvent */
/**
 * @typedef {MemberJoinedEvent | MemberLeftEvent | RoomUpdatedEvent | AccessLostEvent | TypingEvent
 *   | PresenceEvent | PresenceChangedEvent | ReadEvent} LiveEvent
 */
/** @typedef {DurableEvent | LiveEvent} RoomEvent */

/** @typedef {"signed_out" | "signed_out_everywhere" | "deactivated"} RevocationReason */
/** @typedef {{type: "session.revoked", reason?: RevocationReason}} SessionRevokedEvent */
/**
 * Requests to join (matchmaking): to the person who asked, and to the room's owners.
 * @typedef {{type: "join_request.decided" | "join_request.received", room_id: number,
 *   join_request: import("./collaboration.js").JoinRequest}} JoinRequestEvent
 */
/** @typedef {{type: "mention", room_id: number, thread_id: number, message_id: number, seq: number, author: User}} MentionEvent */
/**
 * Interest in a room (to its owners): someone said, or took back, one of the two answers.
 * @typedef {{type: "interest.changed", room_id: number, kind: "same-problem" | "can-help", said: boolean,
 *   person: User}} InterestChangedEvent
 */
/** @typedef {{type: "role.changed", role: "administrator" | "facilitator" | "member"}} RoleChangedEvent */
/** @typedef {JoinRequestEvent | MentionEvent | ReadEvent | InterestChangedEvent | RoleChangedEvent} PersonalEvent */
/**
 * @typedef {RoomEvent | SessionRevokedEvent | JoinRequestEvent | MentionEvent | InterestChangedEvent
 *   | RoleChangedEvent} ServerEvent
 */

/** @typedef {{code: string, message?: string, field?: string | null}} ErrorBody */

/**
 * What `subscribe` answers for one room.
 * @typedef {{events?: DurableEvent[], last_seq: number, resync?: boolean, error?: ErrorBody}} RoomCatchUp
 */
/** @typedef {{ok: boolean, rooms?: Record<string, RoomCatchUp>, error?: ErrorBody}} SubscribeAck */

export {};
