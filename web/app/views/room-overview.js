// @ts-check
// A room's overview pane: "About this room" (summary, tags, incubation criteria),
// who is involved and the matchmaking around it (room-matchmaking.js),
// its stage history (each move along the pipeline as a notice, with its note and
// criteria), the members with their presence, and, for people who may manage the
// room, the invite form.
//
// Both sections persist while the room is open, so live updates redraw them in
// place and cannot wipe a half-typed invitation.
import { h, replaceContent, setServerHtml } from "../dom.js";
import { createMembersPanel } from "./members.js";
import { inviteForm } from "./invite.js";
import { canManage } from "../permissions.js";
import { get } from "../api.js";
import { stageLabel } from "../labels.js";
import { timeElement } from "../time.js";
import { criteriaDetails } from "./stage-move.js";
import { createRoomMatchmaking } from "./room-matchmaking.js";

/** @typedef {import("../room-store.js").RoomStore} RoomStore */
/** @typedef {import("../protocol.js").User} User */
/** @typedef {import("../protocol.js").StageMove} StageMove */

/**
 * @param {{store: RoomStore, me: User | null, onInvited: (userId: number) => Promise<string | null>}} options
 */
export function createRoomOverview({ store, me, onInvited }) {
  const about = h("section", { class: "room-about", "aria-labelledby": "about-heading" });
  const history = h("section", { class: "stage-history", "aria-labelledby": "stage-history-heading" });
  /** @type {Map<number, StageMove>} by seq, so a move heard live and read over REST is shown once */
  const moves = new Map();
  let historyLoaded = false;
  let historyAsked = false;
  const membersPanel = createMembersPanel(me);
  const matchmaking = createRoomMatchmaking({ store });
  /** @type {HTMLFormElement | null} */
  let invite = null;

  function renderAbout() {
    const room = store.state.room;
    const summary = room.summary_html
      ? setServerHtml(h("div", { class: "prose" }), room.summary_html)
      : h("p", { class: "hint" }, "This room has no summary yet.");
    replaceContent(about,
      h("h2", { id: "about-heading" }, "About this room"),
      summary,
      room.tags.length ? h("p", { class: "tags" }, "Tags: ", room.tags.map((t) => h("span", { class: "tag" }, t))) : null,
      room.incubation_criteria ? criteriaDetails(room.incubation_criteria) : null);
    matchmaking.render();
  }

  function renderHistory() {
    const listed = [...moves.values()].sort((a, b) => a.seq - b.seq);
    replaceContent(history,
      h("h2", { id: "stage-history-heading" }, "Stage history"),
      listed.length
        ? h("ol", { class: "stage-notices" }, listed.map(stageNotice))
        : h("p", { class: "hint" }, historyLoaded ? "This room has not moved stage yet." : "Loading the stage history…"));
  }

  async function loadHistory() {
    try {
      /** @type {{moves: StageMove[]}} */
      const answer = await get(`/rooms/${store.state.room.id}/stages`);
      for (const move of answer.moves) moves.set(move.seq, move);
    } catch {
      // Shown as not moved yet; a live move still appears.
    }
    historyLoaded = true;
    renderHistory();
  }

  /** A move heard live (stage.moved). @param {StageMove} move */
  function addMove(move) {
    moves.set(move.seq, move);
    renderHistory();
  }

  function renderMembers() {
    const room = store.state.room;
    membersPanel.render(store.state.members);
    if (canManage(room) && !invite) {
      invite = inviteForm({ room, memberIds: () => store.state.members.keys(), onInvited }).form;
    }
    membersPanel.setInvite(canManage(room) ? invite : null);
  }

  /** Put both sections in `pane` (if not there yet) and draw them. @param {HTMLElement} pane */
  function show(pane) {
    renderAbout();
    renderMembers();
    if (!historyAsked) {
      historyAsked = true;
      loadHistory();
    }
    renderHistory();
    if (about.parentNode !== pane || membersPanel.element.parentNode !== pane) {
      replaceContent(pane, about, matchmaking.element, history, membersPanel.element);
    }
  }

  return { show, renderAbout, renderMembers, addMove, membersChanged: matchmaking.membersChanged, destroy: matchmaking.destroy };
}

/**
 * One move as a system notice: from, to, who, when, the note and the criteria. A record
 * from a stage to itself is a concept seeded at that stage with its criteria.
 * @param {StageMove} move
 */
function stageNotice(move) {
  return h("li", { class: "stage-notice" },
    h("p", {}, h("strong", {}, move.from_stage === move.to_stage ? `Seeded at ${stageLabel(move.to_stage)}`
      : `Moved from ${stageLabel(move.from_stage)} to ${stageLabel(move.to_stage)}`),
      move.moved_by ? ` by ${move.moved_by.display_name}` : "", ", ", timeElement(move.moved_at)),
    move.note ? h("p", { class: "stage-note" }, move.note) : null,
    move.criteria ? criteriaDetails(move.criteria) : null);
}
