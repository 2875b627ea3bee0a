// @ts-check
// Facilitators and administrators: turn a workshop's file (CSV, XLSX or YAML) into
// rooms. Choose the file, Preview (exactly what will be created, changed and sent,
// or every problem with its row and column), then Apply, which applies what was
// previewed (the server refuses with 409 if the file or the rooms changed since).
// Progress shows in a <progress> with its words in a polite live region.
import { h, replaceContent } from "../dom.js";
import { ApiError } from "../api.js";
import { session } from "../session.js";
import { field, errorSummary, showErrors, clearErrors } from "../forms.js";
import { announceStatus } from "../announcer.js";
import { defaultEventName, placeOf, roomsByChange, sendSeed } from "../seed-upload.js";

/** @typedef {import("../seed-upload.js").SeedReport} SeedReport */
/** @typedef {import("../seed-upload.js").SeededRoom} SeededRoom */

const ACCEPT = ".csv,.tsv,.txt,.xlsx,.xlsm,.yaml,.yml";
const OUTCOMES = /** @type {Record<string, string>} */ ({
  invited: "invited", added: "added", made_owner: "made owner", already_member: "already a member",
  already_invited: "already invited", deactivated: "not added: deactivated account",
});

/** A list under its own heading, or nothing when empty. @param {string} title @param {HTMLElement[]} items */
function section(title, items) {
  if (!items.length) return null;
  return h("section", { class: "seed-section" }, h("h3", {}, title), h("ul", { class: "seed-list" }, items));
}

/** @param {SeededRoom} room @param {boolean} applied */
function roomItem(room, applied) {
  const would = applied ? "" : "will be ";
  const people = room.people.filter((p) => ["invited", "added", "made_owner"].includes(p.outcome));
  const name = applied ? h("a", { href: `/r/${encodeURIComponent(room.slug)}` }, room.title) : h("strong", {}, room.title);
  const owners = room.owners.length > 1 ? `owners ${room.owners.join(" and ")}` : `owner ${room.owner}`;
  return h("li", {}, name, ` (/r/${room.slug}), ${owners}`,
    room.similar.length
      ? h("p", { class: "notice seed-similar" }, "Similar to an existing room: ",
        room.similar.map((s, i) => [i ? ", " : "", h("a", { href: `/r/${encodeURIComponent(s.slug)}` }, s.title)]),
        ". Check it is not the same concept before applying.")
      : null,
    room.threads_created.length
      ? h("ul", {}, room.threads_created.map((t) => h("li", {}, `Question ${would}opened: ${t}`))) : null,
    people.length
      ? h("ul", {}, people.map((p) => h("li", {}, `${p.email}: ${would}${OUTCOMES[p.outcome]}${p.owner ? " as owner" : ""}`))) : null);
}

/** The problems as a table a facilitator can work down with the file open. @param {SeedReport} report */
function problemsTable(report) {
  return h("div", { class: "table-scroll" }, h("table", { class: "seed-problems" },
    h("caption", {}, `${report.problems.length} problem${report.problems.length === 1 ? "" : "s"} in the file; nothing can be applied until they are fixed`),
    h("thead", {}, h("tr", {}, ["Where", "Column", "Problem"].map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, report.problems.map((p) => h("tr", {},
      h("th", { scope: "row" }, placeOf(p)), h("td", {}, p.column || ""), h("td", {}, p.message))))));
}

/** @param {SeedReport} report */
function similarCount(report) {
  return report.rooms.filter((room) => room.similar.length).length;
}

/** @param {SeedReport} report */
function reportBody(report) {
  const applied = report.applied;
  const { created, changed } = roomsByChange(report);
  const mailed = applied ? "Email queued" : "Email to be sent";
  const emails = report.mails.map((m) => h("li", {}, `${m.email}: ${m.kind === "invitation" ? "invitation" : "notice of rooms added to"}`));
  const verb = applied ? "Created" : "Will create";
  const totals = `${verb} ${report.rooms_created} room${report.rooms_created === 1 ? "" : "s"} and `
    + `${report.threads_created} question thread${report.threads_created === 1 ? "" : "s"}; `
    + `${report.mails.length} email${report.mails.length === 1 ? "" : "s"} ${applied ? "sent" : "to send"}.`;
  return [
    h("p", {}, `Event “${report.event}”: ${report.event_created ? "new" : "seeded before"}.`),
    h("p", { class: "seed-totals" }, report.changed ? totals : "Nothing to do: everything in the file is already there."),
    [...report.notes, ...report.merged].map((note) => h("p", { class: "notice" }, note)),
    report.rooms_created && report.seeder
      ? h("p", { class: "seed-seeder" }, `You (${report.seeder}) ${applied ? "opened" : "will open"} every new room and `
        + `${applied ? "are" : "will be"} an owner of each, beside its facilitator.`)
      : null,
    similarCount(report)
      ? h("p", { class: "notice seed-similar-total" }, `${similarCount(report)} new concept${similarCount(report) === 1 ? " looks" : "s look"} `
        + "like an existing room; each is marked below.")
      : null,
    section(applied ? "Rooms created" : "Rooms to create", created.map((room) => roomItem(room, applied))),
    section(applied ? "Rooms changed" : "Rooms to change", changed.map((room) => roomItem(room, applied))),
    section(mailed, emails),
    section("Rooms no longer in the file (kept as they are)", report.not_in_file.map((t) => h("li", {}, t))),
  ];
}

/** @param {HTMLElement} main */
export function seedView(main) {
  const title = "Seed rooms from an event";
  const heading = h("h1", { tabindex: "-1" }, title);
  const user = session.user;
  if (!user || (user.role !== "facilitator" && user.role !== "administrator")) {
    replaceContent(main, h("div", { class: "narrow" }, heading, h("p", {}, "Only facilitators and administrators can seed rooms.")));
    return { title, heading };
  }
  const file = field({ name: "file", label: "Workshop file", type: "file",
    hint: "A spreadsheet saved as CSV or Excel (.xlsx), or a YAML seed file. One row per concept." });
  const fileInput = /** @type {HTMLInputElement} */ (file.input);
  fileInput.accept = ACCEPT;
  const event = field({ name: "event", label: "Event name",
    hint: "Seeding the same event again adds only what is new. Defaults to the file’s name." });
  let eventTyped = false;
  event.input.addEventListener("input", () => { eventTyped = true; });
  fileInput.addEventListener("change", () => {
    const chosen = fileInput.files?.[0];
    if (chosen && !eventTyped) /** @type {HTMLInputElement} */ (event.input).value = defaultEventName(chosen.name);
    reset();
  });
  const errors = errorSummary();
  const previewButton = h("button", { type: "submit", class: "button" }, "Preview");
  const form = h("form", { class: "form", novalidate: true }, errors.box, file.wrapper, event.wrapper,
    h("div", { class: "form-actions" }, previewButton));

  const progressBar = h("progress", { id: "seed-progress", max: "1", value: "0" });
  const progressText = h("p", { role: "status", "aria-live": "polite", class: "seed-progress-text" });
  const progressBox = h("div", { class: "seed-progress", hidden: true },
    h("label", { for: "seed-progress" }, "Progress"), progressBar, progressText);
  const results = h("section", { class: "seed-results", "aria-labelledby": "seed-results-heading", hidden: true });
  const applyButton = h("button", { type: "button", class: "button" }, "Apply");
  /** @type {SeedReport | null} */
  let previewed = null;
  let busy = false;

  function reset() {
    previewed = null;
    results.hidden = true;
    replaceContent(results);
    progressBox.hidden = true;
  }

  /** @param {string} what @param {import("../seed-upload.js").Progress} progress */
  function showProgress(what, { done, total }) {
    progressBar.max = Math.max(total, 1);
    progressBar.value = done;
    progressText.textContent = `${what}: ${done} of ${total} steps done.`;
  }

  /** @param {string} titleText @param {...any} children */
  function showResults(titleText, ...children) {
    replaceContent(results, h("h2", { id: "seed-results-heading", tabindex: "-1" }, titleText), ...children);
    results.hidden = false;
    /** @type {HTMLElement} */ (results.firstElementChild).focus();
  }

  /** @param {unknown} error */
  function failed(error) {
    const message = error instanceof ApiError ? error.message : "Something went wrong. Try again.";
    const fieldName = error instanceof ApiError && (error.field === "X-Filename" || error.field === "Content-Type") ? "file" : null;
    showErrors(form, errors, [{ field: error instanceof ApiError && error.field === "event" ? "event" : fieldName, message }]);
  }

  /** @param {() => Promise<void>} work */
  async function whileWorking(work) {
    if (busy) return;
    busy = true;
    previewButton.setAttribute("aria-disabled", "true");
    applyButton.setAttribute("aria-disabled", "true");
    try {
      await work();
    } finally {
      busy = false;
      previewButton.removeAttribute("aria-disabled");
      applyButton.removeAttribute("aria-disabled");
    }
  }

  form.addEventListener("submit", (submitted) => {
    submitted.preventDefault();
    const chosen = fileInput.files?.[0];
    if (!chosen) {
      showErrors(form, errors, [{ field: "file", message: "Choose the workshop file to seed from" }]);
      return;
    }
    clearErrors(form, errors);
    reset();
    whileWorking(async () => {
      progressBox.hidden = false;
      showProgress("Preview", { done: 0, total: 1 });
      try {
        const report = await sendSeed("preview", chosen, { event: event.input.value.trim() }, (p) => showProgress("Preview", p));
        progressBox.hidden = true;
        if (!report.applicable) {
          showResults("Preview: the file has problems", problemsTable(report),
            h("p", {}, "Fix them in the file, save it, choose it again and preview it again."));
          return;
        }
        previewed = report;
        showResults("Preview", reportBody(report),
          report.changed ? h("div", { class: "form-actions" }, applyButton) : null,
          report.changed ? h("p", { class: "hint" }, "Nothing is created or sent until you apply.") : null);
      } catch (error) {
        progressBox.hidden = true;
        failed(error);
      }
    });
  });

  applyButton.addEventListener("click", () => {
    const chosen = fileInput.files?.[0];
    const confirmed = previewed;
    if (!chosen || !confirmed?.preview) return;
    whileWorking(async () => {
      progressBox.hidden = false;
      showProgress("Applying", { done: 0, total: 1 });
      try {
        const report = await sendSeed("apply", chosen, { event: event.input.value.trim(), preview: confirmed.preview || "" },
          (p) => showProgress("Applying", p));
        previewed = null;
        progressText.textContent = "Applying: done.";
        announceStatus(`Seeded ${report.event}.`);
        showResults("Applied", reportBody(report),
          report.event_id ? h("p", {}, h("a", { href: `/events/${report.event_id}` }, `Open the event page for ${report.event}`)) : null);
      } catch (error) {
        progressBox.hidden = true;
        failed(error);
      }
    });
  });

  replaceContent(main, h("div", { class: "narrow" }, heading,
    h("p", {}, "Turn the output of a Discovery Day or Co-Design Day into rooms, opening questions and invitations. "
      + "Each person gets one email listing all their rooms."),
    form, progressBox, results));
  return { title, heading };
}
