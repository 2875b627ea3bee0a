// @ts-check
// Creating a room: one product concept or workstream.
import { h, replaceContent } from "../dom.js";
import { get, post, query as toQuery } from "../api.js";
import { STAGES, stageBadge, collaboratorsBadge } from "../labels.js";
import { field, checkbox, radios, errorSummary, onValidSubmit, checkRules, checkTags } from "../forms.js";
import { session } from "../session.js";
import { navigate } from "../router.js";
import { announceStatus } from "../announcer.js";

/** @param {HTMLElement} main @param {{query?: URLSearchParams}} [route] */
export function newRoomView(main, { query } = {}) {
  // From "Post an idea or a problem" (Collaborate): the same form, framed for it.
  const posting = query?.get("looking") === "1";
  const heading = h("h1", { tabindex: "-1" }, posting ? "Post an idea or a problem" : "Create a room");
  const title = field({ name: "title", label: "Room name", hint: "Usually the name of the concept, for example ‘Blue Badge renewals’." });
  const summary = field({ name: "summary", label: "Summary (optional)", control: "textarea", rows: 5,
    hint: posting
      ? "The idea, or the problem to solve, and the help you are looking for. You can use Markdown: **bold**, lists, links."
      : "What the room is for and who should join. You can use Markdown: **bold**, lists, links." });
  const stage = field({ name: "stage", label: "Stage", control: "select", value: "discovery", options: STAGES });
  const visibility = radios({ name: "visibility", legend: "Who can join", value: "open", choices: [
    ["open", "Anyone with an account", "The room is listed and anyone can join it."],
    ["invite", "Only people who are invited", "The room is hidden from people who are not members."],
  ] });
  const tags = field({ name: "tags", label: "Tags (optional)", hint: "Separate tags with commas, for example: housing, api, payments.", spellcheck: "false" });
  const collaborators = checkbox({ name: "looking_for_collaborators", label: "Looking for collaborators",
    checked: posting,
    hint: "Lists the room under Collaborate so other councils, departments and suppliers can find it, say they have "
      + "the same problem or could help, and ask to join. Everyone signed in then sees its name, summary, tags and the "
      + "organisations involved, even when it is invite-only; its threads and members stay private." });
  const errors = errorSummary();
  const button = h("button", { type: "submit", class: "button" }, "Create room");
  const form = h("form", { class: "form", novalidate: true },
    errors.box, title.wrapper, summary.wrapper, stage.wrapper, visibility.wrapper, tags.wrapper,
    collaborators.wrapper,
    h("div", { class: "form-actions" }, button, h("a", { href: "/rooms", class: "link-button" }, "Cancel")));

  // Before a room is created, rooms that look like the same idea (by the words of
  // the name and summary), so two teams do not start the same concept in parallel.
  const similarList = h("ul", { class: "similar-rooms-list" });
  const similar = h("section", { class: "similar-rooms", "aria-labelledby": "similar-rooms-title", hidden: true },
    h("h2", { id: "similar-rooms-title" }, "Rooms that may be the same idea"),
    h("p", { class: "hint" }, "Check these before creating a new room: joining one may be better."),
    similarList);
  form.insertBefore(similar, form.querySelector(".form-actions"));
  const similarStatus = h("p", { class: "visually-hidden", role: "status" });
  /** @type {number | undefined} */
  let similarTimer;
  let similarToken = 0;
  for (const control of [title.input, summary.input]) {
    control.addEventListener("input", () => {
      window.clearTimeout(similarTimer);
      similarTimer = window.setTimeout(findSimilar, 500);
    });
  }

  async function findSimilar() {
    const token = ++similarToken;
    const words = title.input.value.trim();
    if (!words) {
      similar.hidden = true;
      return;
    }
    /** @type {{rooms: {id: number, slug: string, title: string, summary: string, stage: string, visibility: string, looking_for_collaborators: boolean}[]}} */
    let found;
    try {
      found = await get(`/similar-rooms${toQuery({ title: words.slice(0, 200), summary: summary.input.value.slice(0, 400) })}`);
    } catch {
      return; // a convenience: creating the room works without it
    }
    if (token !== similarToken) return;
    const before = similar.hidden ? 0 : similarList.children.length;
    similar.hidden = found.rooms.length === 0;
    replaceContent(similarList, found.rooms.map((room) => h("li", { class: "similar-room" },
      h("a", { href: `/r/${encodeURIComponent(room.slug)}` }, room.title), " ",
      stageBadge(room.stage), room.looking_for_collaborators ? collaboratorsBadge() : null,
      room.summary ? h("p", { class: "similar-room-summary" }, room.summary.length > 160 ? `${room.summary.slice(0, 159)}…` : room.summary) : null)));
    if (found.rooms.length !== before) {
      similarStatus.textContent = found.rooms.length
        ? `${found.rooms.length === 1 ? "1 existing room looks" : `${found.rooms.length} existing rooms look`} like this idea; they are listed before the Create room button.`
        : "";
    }
  }

  onValidSubmit(form, errors, button, {
    check: () => [
      ...checkRules([
        { field: "title", label: "Room name", input: title.input, required: "Enter a name for the room", max: session.limits.title_chars },
        { field: "summary", label: "Summary", input: summary.input, max: session.limits.summary_chars, raw: true },
      ]),
      ...checkTags(tags.input),
    ],
    send: async () => {
      const { room } = await post("/rooms", {
        title: title.input.value.trim(),
        summary: summary.input.value,
        stage: stage.input.value,
        visibility: visibility.inputs.find((input) => input.checked)?.value || "open",
        tags: tags.input.value.split(",").map((t) => t.trim()).filter(Boolean),
        looking_for_collaborators: collaborators.input.checked,
      });
      announceStatus(`Room ${room.title} created.`);
      navigate(`/r/${encodeURIComponent(room.slug)}`);
    },
    fieldNames: ["title", "summary", "stage", "visibility", "tags", "looking_for_collaborators", "slug"],
  });

  replaceContent(main, h("div", { class: "narrow" }, heading, form, similarStatus));
  return {
    title: posting ? "Post an idea or a problem" : "Create a room",
    heading,
    destroy() {
      window.clearTimeout(similarTimer);
      similarToken += 1;
    },
  };
}
