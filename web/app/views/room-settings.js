// @ts-check
// Editing a room's settings: for the people who may manage it (its owners,
// facilitators and administrators; the server says so in `can_manage`). The
// address (slug) is not editable here: links people have shared keep working.
import { h, replaceContent } from "../dom.js";
import { get, patch, ApiError } from "../api.js";
import { STAGES } from "../labels.js";
import { field, checkbox, radios, errorSummary, onValidSubmit, checkRules, checkTags } from "../forms.js";
import { navigate } from "../router.js";
import { setTitle } from "../page.js";
import { announceStatus } from "../announcer.js";
import { canManage } from "../permissions.js";
import { session } from "../session.js";

const FIELDS = ["title", "summary", "stage", "visibility", "tags", "looking_for_collaborators"];

/** @typedef {import("../protocol.js").Room} Room */

/**
 * Downloads of the room's whole record (for a records schedule or an FOI request):
 * its owners and administrators only, as the server decides.
 * @param {Room} room
 */
function recordSection(room) {
  if (room.membership !== "owner" && session.user?.role !== "administrator") return null;
  const base = `/api/v1/rooms/${room.id}/export`;
  return h("section", { class: "profile-section", "aria-labelledby": "room-record" },
    h("h2", { id: "room-record" }, "The room’s record"),
    h("p", {}, "Every thread and message, with edits, deletions and the room’s history. Downloading is recorded in the audit log."),
    h("ul", {},
      h("li", {}, h("a", { href: base, download: `${room.slug}.md` }, "Download as Markdown (to read)")),
      h("li", {}, h("a", { href: `${base}?format=json`, download: `${room.slug}.json` }, "Download as JSON (complete)"))));
}

/** @param {HTMLElement} main @param {{params: Record<string, string>}} route */
export function roomSettingsView(main, { params }) {
  const slug = params.slug;
  const roomUrl = `/r/${encodeURIComponent(slug)}`;
  const heading = h("h1", { tabindex: "-1" }, "Edit room");
  const roomCrumb = h("a", { href: roomUrl }, "Room");
  const content = h("div", {}, h("p", { class: "loading" }, "Loading room…"));
  replaceContent(main, h("div", { class: "narrow" },
    h("nav", { class: "breadcrumbs", "aria-label": "Breadcrumb" },
      h("ol", {}, h("li", {}, h("a", { href: "/rooms" }, "Rooms")), h("li", {}, roomCrumb))),
    heading, content));
  let destroyed = false;

  async function load() {
    /** @type {Room} */
    let room;
    try {
      ({ room } = await get(`/rooms/${encodeURIComponent(slug)}`));
    } catch (error) {
      if (destroyed) return;
      const notFound = error instanceof ApiError && (error.status === 404 || error.status === 403);
      heading.textContent = notFound ? "Room not found" : "This room could not be loaded";
      setTitle(heading.textContent);
      replaceContent(content,
        h("p", {}, notFound
          ? "There is no room at this address, or it is invite-only and you have not been invited."
          : error instanceof Error ? error.message : String(error)),
        h("p", {}, h("a", { href: "/rooms" }, "Go to the room directory")));
      return;
    }
    if (destroyed) return;
    roomCrumb.textContent = room.title;
    if (!canManage(room)) {
      heading.textContent = "You cannot change this room";
      setTitle(heading.textContent, room.title);
      replaceContent(content,
        h("p", {}, "Only the room’s owners, facilitators and administrators can change its settings. Ask one of them if something needs updating."),
        h("p", {}, h("a", { href: roomUrl }, "Back to ", room.title)));
      return;
    }
    setTitle("Edit room", room.title);
    replaceContent(content, settingsForm(room), recordSection(room));
  }

  /** @param {Room} room */
  function settingsForm(room) {
    const title = field({ name: "title", label: "Room name", value: room.title });
    const summary = field({ name: "summary", label: "Summary (optional)", control: "textarea", rows: 6, value: room.summary || "",
      hint: "What the room is for and who should join. You can use Markdown: **bold**, lists, links." });
    // Incubation records the programme's criteria, which only the "Move stage" dialog asks for.
    const stages = STAGES.filter(([value]) => value !== "incubation" || room.stage === "incubation");
    const stage = field({ name: "stage", label: "Stage", control: "select", value: room.stage, options: stages,
      hint: "An archived room is read-only: nobody can start threads, post or edit messages in it. "
        + "To move the room to incubation, use “Move stage” on the room’s page." });
    const visibility = radios({ name: "visibility", legend: "Who can join", value: room.visibility, choices: [
      ["open", "Anyone with an account", "The room is listed and anyone can join it."],
      ["invite", "Only people who are invited", "The room is hidden from people who are not members."],
    ] });
    const tags = field({ name: "tags", label: "Tags (optional)", value: room.tags.join(", "), spellcheck: "false",
      hint: "Separate tags with commas, for example: housing, api, payments." });
    const collaborators = checkbox({ name: "looking_for_collaborators", label: "Looking for collaborators",
      checked: room.looking_for_collaborators,
      hint: "Lists the room under Collaborate so other councils, departments and suppliers can find it and ask to join. "
        + "Everyone signed in then sees its name, summary, tags and the organisations involved, even when it is "
        + "invite-only; its threads and members stay private." });
    const errors = errorSummary();
    const button = h("button", { type: "submit", class: "button" }, "Save changes");
    const form = h("form", { class: "form", novalidate: true },
      errors.box, title.wrapper, summary.wrapper, stage.wrapper, visibility.wrapper, tags.wrapper, collaborators.wrapper,
      h("div", { class: "form-actions" }, button, h("a", { href: roomUrl, class: "link-button" }, "Cancel")));

    /** @returns {Record<string, unknown>} */
    function values() {
      return {
        title: title.input.value.trim(),
        summary: summary.input.value,
        stage: stage.input.value,
        visibility: visibility.inputs.find((input) => input.checked)?.value || room.visibility,
        tags: tags.input.value.split(",").map((t) => t.trim()).filter(Boolean),
        looking_for_collaborators: collaborators.input.checked,
      };
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
        // Only what this person changed is sent, so a co-owner's change to
        // another setting made meanwhile is not overwritten with old values.
        const next = values();
        /** @type {Record<string, unknown>} */
        const changes = {};
        const current = /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (room));
        for (const name of FIELDS) {
          if (JSON.stringify(next[name]) !== JSON.stringify(current[name])) changes[name] = next[name];
        }
        if (Object.keys(changes).length) {
          const { room: saved } = await patch(`/rooms/${room.id}`, changes);
          announceStatus(`Changes to ${saved.title} saved.`);
          navigate(`/r/${encodeURIComponent(saved.slug)}`);
        } else {
          announceStatus("No changes to save.");
          navigate(roomUrl);
        }
      },
      fieldNames: FIELDS,
    });
    return form;
  }

  load();
  return {
    title: "Edit room",
    heading,
    destroy() {
      destroyed = true;
    },
  };
}
