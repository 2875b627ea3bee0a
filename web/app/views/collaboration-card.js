// @ts-check
// One room looking for collaborators, as a card: what it is, who is involved, the
// interest shown, the reader's two one-click answers ("We have this problem too",
// "We could help", toggle buttons with aria-pressed) and how to get in (join an
// open room, ask to join an invite-only one with an optional message, or wait for
// the owners' answer). Used by the board and by the suggestions.
//
// A card is drawn once and its parts redrawn in place, so a pressed button keeps
// its focus; `setCard` applies a newer answer (a live decision on a request).
import { h, replaceContent, setServerHtml, hiddenText, uniqueId } from "../dom.js";
import { get, post, del } from "../api.js";
import { stageBadge } from "../labels.js";
import { announceStatus } from "../announcer.js";
import { navigate } from "../router.js";
import * as realtime from "../realtime.js";
import { INTEREST_KINDS, joinAction, interestSummary, withInterest, withDecision, suggestionReason } from "../collaboration.js";

/** @typedef {import("../collaboration.js").Card} Card */
/**
 * @typedef {{organisations: number, groups: {organisation: {name: string}, people: {display_name: string}[]}[]}} Tally
 */

/** @param {unknown} error */
function messageOf(error) {
  return error instanceof Error ? error.message : String(error);
}

/**
 * @param {Card} initial
 * @returns {{element: HTMLElement, setCard: (card: Card) => void, card: () => Card}}
 */
export function collaborationCard(initial) {
  let card = initial;
  const room = card.room;
  const titleId = uniqueId(`collab-${room.id}`);
  const title = h("h3", { class: "room-card-title", id: titleId });
  const interestLine = h("p", { class: "interest-summary" });
  // Who answered, by organisation: shown to someone who answered themselves.
  const whoLine = h("div", { class: "interest-who" });
  /** @type {{same_problem: Tally, can_help: Tally} | null} */
  let answered = null;
  const interestButtons = INTEREST_KINDS.map(([kind, label]) => {
    const button = h("button", { type: "button", class: "button button-secondary toggle", "aria-pressed": "false",
      "aria-describedby": titleId, dataset: { kind } }, label);
    button.addEventListener("click", () => toggleInterest(kind, label, button));
    return button;
  });
  const joinSlot = h("div", { class: "join-slot" });
  const element = h("li", { class: "room-card collab-card", dataset: { roomId: room.id } },
    title,
    h("p", { class: "badges" }, stageBadge(room.stage),
      room.visibility === "invite" ? h("span", { class: "badge" }, "Invite only") : null),
    room.summary_html ? setServerHtml(h("div", { class: "room-card-summary prose" }), room.summary_html) : null,
    room.tags.length ? h("p", { class: "tags" }, hiddenText("Tags: "), room.tags.map((t) => h("span", { class: "tag" }, t))) : null,
    h("p", { class: "involvement" }, h("strong", {}, "Involved: "), card.involvement.summary),
    card.because ? h("p", { class: "suggestion-reason" }, h("strong", {}, "Why: "), suggestionReason(card.because)) : null,
    interestLine,
    whoLine,
    h("div", { class: "interest-buttons", role: "group", "aria-label": `Your answer to ${room.title}` }, interestButtons),
    joinSlot);

  function render() {
    const canOpen = Boolean(card.membership) || room.visibility === "open";
    replaceContent(title, canOpen ? h("a", { href: `/r/${encodeURIComponent(room.slug)}` }, room.title) : room.title);
    interestLine.textContent = interestSummary(card.interest);
    renderWho();
    for (const button of interestButtons) {
      button.setAttribute("aria-pressed", String(card.my_interest.includes(button.dataset.kind || "")));
    }
    renderJoin();
  }

  /** @param {string} kind @param {string} label @param {HTMLButtonElement} button */
  async function toggleInterest(kind, label, button) {
    const saying = !card.my_interest.includes(kind);
    button.disabled = true;
    try {
      const { interest } = saying
        ? await post(`/rooms/${room.id}/interest`, { kind })
        : await del(`/rooms/${room.id}/interest?kind=${encodeURIComponent(kind)}`);
      answered = interest;
      card = withInterest(card, interest.mine, { same_problem: interest.same_problem.organisations, can_help: interest.can_help.organisations });
      render();
      announceStatus(saying ? `You said “${label}” for ${room.title}.` : `You took back “${label}” for ${room.title}.`);
    } catch (error) {
      announceStatus(`Could not save your answer: ${messageOf(error)}`);
    } finally {
      button.disabled = false;
    }
  }

  function renderWho() {
    if (!card.my_interest.length) {
      replaceContent(whoLine);
      return;
    }
    if (!answered) {
      get(`/rooms/${room.id}/interest`).then(({ interest }) => {
        answered = interest;
        renderWho();
      }).catch(() => undefined); // the counts above still say how many
      return;
    }
    /** @param {string} label @param {Tally} tally */
    const line = (label, tally) => tally.groups.length
      ? h("li", {}, h("strong", {}, `${label}: `), tally.groups.map((g) =>
        `${g.organisation.name || "No organisation given"} (${g.people.map((p) => p.display_name).join(", ")})`).join("; "))
      : null;
    replaceContent(whoLine, h("p", { class: "hint" }, "Who answered:"),
      h("ul", { class: "interest-who-list" }, line("We have this problem too", answered.same_problem),
        line("We could help", answered.can_help)));
  }

  function renderJoin() {
    const action = joinAction(card);
    if (action === "member") {
      replaceContent(joinSlot, h("p", { class: "join-state" }, "You are a member of this room. ",
        h("a", { href: `/r/${encodeURIComponent(room.slug)}`, "aria-describedby": titleId }, "Open the room")));
    } else if (action === "pending") {
      const withdraw = h("button", { type: "button", class: "button button-secondary", "aria-describedby": titleId },
        "Withdraw request");
      withdraw.addEventListener("click", async () => {
        try {
          ({ card } = await del(`/rooms/${room.id}/join-requests`));
          render();
          announceStatus(`You withdrew your request to join ${room.title}.`);
          /** @type {HTMLElement | null} */ (joinSlot.querySelector("button"))?.focus();
        } catch (error) {
          announceStatus(`Could not withdraw the request: ${messageOf(error)}`);
        }
      });
      replaceContent(joinSlot, h("p", { class: "join-state" }, "You asked to join. The room’s owners will accept or decline."),
        withdraw);
    } else if (action === "join") {
      const button = h("button", { type: "button", class: "button", "aria-describedby": titleId }, "Join room");
      button.addEventListener("click", async () => {
        try {
          await post(`/rooms/${room.id}/join`);
          announceStatus(`You joined ${room.title}.`);
          navigate(`/r/${encodeURIComponent(room.slug)}`);
        } catch (error) {
          announceStatus(`Could not join ${room.title}: ${messageOf(error)}`);
        }
      });
      replaceContent(joinSlot, button);
    } else {
      replaceContent(joinSlot,
        action === "ask-again" ? h("p", { class: "join-state" }, "The owners declined your last request.") : null,
        askForm());
    }
  }

  /** A disclosure: "Ask to join" opens a small form with an optional message. */
  function askForm() {
    const formId = uniqueId("ask-to-join");
    const open = h("button", { type: "button", class: "button", "aria-expanded": "false", "aria-controls": formId,
      "aria-describedby": titleId }, "Ask to join");
    const messageId = uniqueId("ask-message");
    const message = h("textarea", { id: messageId, name: "message", rows: 3, class: "textarea", maxlength: 2000 });
    const error = h("p", { class: "error-message", hidden: true, role: "alert" });
    const send = h("button", { type: "submit", class: "button" }, "Send request");
    const cancel = h("button", { type: "button", class: "link-button" }, "Cancel");
    const form = h("form", { id: formId, class: "ask-form", hidden: true, "aria-label": `Ask to join ${room.title}` },
      h("label", { class: "label", for: messageId }, "Message to the room’s owners (optional)"),
      error, message, h("div", { class: "form-actions" }, send, cancel));
    open.addEventListener("click", () => {
      form.hidden = false;
      open.setAttribute("aria-expanded", "true");
      message.focus();
    });
    cancel.addEventListener("click", () => {
      form.hidden = true;
      open.setAttribute("aria-expanded", "false");
      open.focus();
    });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      send.disabled = true;
      try {
        const { join_request: asked } = await post(`/rooms/${room.id}/join-requests`, { message: message.value });
        card = { ...card, join_request: asked.status };
        render();
        announceStatus(`Your request to join ${room.title} was sent.`);
      } catch (failure) {
        error.hidden = false;
        error.textContent = messageOf(failure);
        send.disabled = false;
      }
    });
    return [open, form];
  }

  render();
  return {
    element,
    setCard(next) {
      card = next;
      render();
    },
    card: () => card,
  };
}

/**
 * Keep cards in step with live decisions on the reader's requests to join
 * (join_request.decided). Returns a function that stops.
 * @param {() => Iterable<ReturnType<typeof collaborationCard>>} cards
 */
export function followDecisions(cards) {
  return realtime.onPersonalEvent((event) => {
    if (event.type !== "join_request.decided") return;
    for (const shown of cards()) shown.setCard(withDecision(shown.card(), event.join_request));
  });
}
