// @ts-check
// The pipeline board: the rooms you can read in columns by stage, filtered by tag,
// organisation, organisation kind and event. A board is also a list: each column is
// a section with a heading and a list of cards, so screen readers can move by
// heading and list. Each card you may move has a "Move" menu button (never drag);
// a move to incubation asks for the programme's three criteria in a dialog.
// Filters live in the URL so a filtered board can be bookmarked and shared.
import { h, replaceContent, hiddenText } from "../dom.js";
import { get, query as toQuery } from "../api.js";
import { stageLabel, collaboratorsBadge, plural } from "../labels.js";
import { announceStatus } from "../announcer.js";
import { field } from "../forms.js";
import { timeElement } from "../time.js";
import { KINDS, kindLabel } from "../pipeline.js";
import { openStageMoveDialog, stageMenuButton, criteriaDetails } from "./stage-move.js";

/** @typedef {import("../protocol.js").PipelineCard} Card */
/** @typedef {import("../protocol.js").PipelineBoard} Board */
/** @typedef {Record<string, string>} Filters */

/** @param {HTMLElement} main @param {{query: URLSearchParams}} route */
export function pipelineView(main, { query }) {
  const heading = h("h1", { tabindex: "-1" }, "Pipeline");
  const filters = readFilters(query);
  let loadToken = 0;
  let destroyed = false;

  const tag = field({ name: "tag", label: "Tag", value: filters.tag, spellcheck: "false" });
  const organisation = field({ name: "organisation", label: "Organisation", value: filters.organisation,
    hint: "Rooms with members from this organisation." });
  const kind = field({ name: "kind", label: "Organisation kind", control: "select", value: filters.kind,
    options: [["", "Any kind"], ...KINDS] });
  const event = field({ name: "event", label: "Event", control: "select", value: filters.event,
    options: [["", "Any event"]] });
  const form = h("form", { class: "filters", role: "search", "aria-label": "Filter the pipeline" },
    tag.wrapper, organisation.wrapper, kind.wrapper, event.wrapper,
    h("div", { class: "filter-actions" },
      h("button", { type: "submit", class: "button button-secondary" }, "Apply filters"),
      h("a", { href: "/pipeline", class: "link-button" }, "Clear filters")));
  const summary = h("p", { class: "results-title" }, "Loading the pipeline…");
  const board = h("div", { class: "pipeline-board" });

  replaceContent(main, heading,
    h("p", { class: "lead" }, "Concepts move from discovery to co-design, incubation and live. "
      + "Each column lists the rooms at that stage, most recently active first."),
    form, summary, board);

  function currentFilters() {
    return {
      tag: tag.input.value.trim(),
      organisation: organisation.input.value.trim(),
      kind: kind.input.value,
      event: event.input.value,
    };
  }

  form.addEventListener("submit", (submitted) => {
    submitted.preventDefault();
    const next = currentFilters();
    history.replaceState(null, "", `/pipeline${toQuery(next)}`);
    load(next, { announce: true });
  });
  for (const control of [kind.input, event.input]) control.addEventListener("change", () => form.requestSubmit());

  /** @param {Filters} params @param {{announce?: boolean, focusRoom?: number}} [options] */
  async function load(params, { announce = false, focusRoom } = {}) {
    const token = ++loadToken;
    board.setAttribute("aria-busy", "true");
    /** @type {Board} */
    let answer;
    try {
      answer = await get(`/pipeline${toQuery(params)}`);
    } catch (error) {
      if (token !== loadToken || destroyed) return;
      summary.textContent = `The pipeline could not be loaded. ${error instanceof Error ? error.message : error}`;
      board.removeAttribute("aria-busy");
      return;
    }
    if (token !== loadToken || destroyed) return;
    board.removeAttribute("aria-busy");
    renderEvents(answer.events, params.event);
    const total = answer.columns.reduce((sum, column) => sum + column.rooms.length, 0);
    const filtered = Object.values(params).some(Boolean);
    summary.textContent = `${plural(total, "room")} in the pipeline${filtered ? " match your filters" : ""}.`;
    if (announce) announceStatus(summary.textContent);
    replaceContent(board, answer.columns.map(renderColumn));
    if (focusRoom != null) {
      // The moved card, in its new column; the page heading if the filters now hide it.
      const moved = /** @type {HTMLElement | null} */ (board.querySelector(`[data-room-id="${focusRoom}"] .room-card-title a`));
      (moved || heading).focus();
    }
  }

  /** @param {{id: number, name: string}[]} events @param {string} selected */
  function renderEvents(events, selected) {
    const select = /** @type {HTMLSelectElement} */ (event.input);
    replaceContent(select, h("option", { value: "" }, "Any event"),
      events.map((e) => h("option", { value: String(e.id), selected: String(e.id) === selected }, e.name)));
  }

  /** @param {{stage: string, rooms: Card[]}} column */
  function renderColumn(column) {
    const headingId = `pipeline-${column.stage}`;
    return h("section", { class: `pipeline-column pipeline-${column.stage}`, "aria-labelledby": headingId },
      h("h2", { id: headingId, class: "pipeline-column-title" }, stageLabel(column.stage), " ",
        h("span", { class: "pipeline-count" }, `(${plural(column.rooms.length, "room")})`)),
      column.rooms.length
        ? h("ul", { class: "pipeline-cards" }, column.rooms.map(renderCard))
        : h("p", { class: "hint" }, "No rooms at this stage."));
  }

  /** @param {Card} card */
  function renderCard(card) {
    const titleId = `pipeline-card-${card.id}`;
    return h("li", { class: "room-card pipeline-card", dataset: { roomId: card.id } },
      h("h3", { class: "room-card-title", id: titleId }, h("a", { href: `/r/${encodeURIComponent(card.slug)}` }, card.title)),
      card.looking_for_collaborators ? h("p", { class: "badges" }, collaboratorsBadge()) : null,
      card.organisations.length
        ? h("p", { class: "pipeline-organisations" }, h("span", { class: "label-inline" }, "Involved: "),
          card.organisations.map((o, i) => [i ? ", " : "", o.name, o.kind ? ` (${kindLabel(o.kind).toLowerCase()})` : ""]))
        : null,
      card.event ? h("p", { class: "hint" }, "From ", card.event.name) : null,
      card.tags.length ? h("p", { class: "tags" }, hiddenText("Tags: "), card.tags.map((t) => h("span", { class: "tag" }, t))) : null,
      h("p", { class: "room-meta" },
        h("span", {}, plural(card.member_count, "member")),
        h("span", {}, "Active ", timeElement(card.last_activity_at)),
        h("span", {}, `${plural(card.recent_message_count, "message")} in 14 days`)),
      card.incubation_criteria ? criteriaDetails(card.incubation_criteria) : null,
      card.can_move ? moveControl(card) : null);
  }

  /** @param {Card} card */
  function moveControl(card) {
    const { element } = stageMenuButton({
      room: card,
      onChoose: (stage, button) => openStageMoveDialog({
        room: card, stage, opener: button,
        onMoved: ({ move }) => {
          announceStatus(`${card.title} moved to ${stageLabel(move.to_stage)}.`);
          load(currentFilters(), { focusRoom: card.id });
        },
      }),
    });
    return element;
  }

  load(filters);

  return {
    title: "Pipeline",
    heading,
    destroy() {
      destroyed = true;
      loadToken += 1;
    },
  };
}

/** @param {URLSearchParams} query @returns {Filters} */
function readFilters(query) {
  return {
    tag: query.get("tag") || "",
    organisation: query.get("organisation") || "",
    kind: query.get("kind") || "",
    event: query.get("event") || "",
  };
}
