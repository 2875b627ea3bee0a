// @ts-check
// Email settings: how the person hears about activity by email (each message,
// after a delay, a daily digest, never), and the page an email's "stop emails"
// link opens. That page needs no sign-in (the link carries a signed token) and
// asks for a button press, so mail scanners that fetch links change nothing.
import { h, replaceContent } from "../dom.js";
import { api, get, put } from "../api.js";
import { radios, errorSummary, onValidSubmit } from "../forms.js";
import { announceStatus } from "../announcer.js";

/** @typedef {"each" | "delay" | "digest" | "never"} NotifyMode */
/** @typedef {{mode: NotifyMode, delay_seconds: number}} NotificationSettings */
/** @typedef {{scope: "thread" | "all", done: boolean, thread_title: string | null, room_title: string | null}} Unsubscribed */

/** @param {number} seconds */
function delayText(seconds) {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  const minutes = Math.round(seconds / 60);
  return `${minutes} minute${minutes === 1 ? "" : "s"}`;
}

/** @param {number} delaySeconds @returns {[string, string, string][]} */
function choices(delaySeconds) {
  return [
    ["delay", `After ${delayText(delaySeconds)}, if I have not read it`,
      "One email per thread covering what you missed. Nothing if you read it in Convene first."],
    ["each", "Straight away", "One email per thread as soon as someone writes, even while you are using Convene."],
    ["digest", "Once a day", "One daily email listing everything you missed in every thread."],
    ["never", "Never", "No notification emails. You still get sign-in and invitation emails."],
  ];
}

/** The settings page: one fieldset of radio buttons and a save button. @param {HTMLElement} main */
export function notificationSettingsView(main) {
  const heading = h("h1", { tabindex: "-1" }, "Email settings");
  const intro = h("p", {}, "Convene emails you when someone mentions you or writes in a thread you follow. ",
    "You can reply to these emails to post in the thread. To stop emails about one thread, use ‘Mute emails’ on that thread.");
  const status = h("p", { class: "hint", role: "status" }, "Loading your settings…");
  const slot = h("div", {});
  replaceContent(main, h("div", { class: "narrow" }, heading, intro, status, slot));

  (async () => {
    /** @type {NotificationSettings} */
    let current;
    try {
      current = await get("/me/notifications");
    } catch (error) {
      status.textContent = `Your settings could not be loaded: ${error instanceof Error ? error.message : error}`;
      return;
    }
    status.textContent = "";
    const mode = radios({ name: "mode", legend: "When should Convene email you?", value: current.mode,
      choices: choices(current.delay_seconds) });
    const errors = errorSummary();
    const button = h("button", { type: "submit", class: "button" }, "Save email settings");
    const form = h("form", { class: "form", novalidate: true }, errors.box, mode.wrapper,
      h("div", { class: "form-actions" }, button));
    onValidSubmit(form, errors, button, {
      send: async () => {
        const chosen = mode.inputs.find((input) => input.checked)?.value || current.mode;
        /** @type {NotificationSettings} */
        const saved = await put("/me/notifications", { mode: chosen });
        current = saved;
        status.textContent = "Your email settings are saved.";
        announceStatus("Your email settings are saved.");
      },
      fieldNames: ["mode"],
    });
    replaceContent(slot, form);
  })();

  return { title: "Email settings", heading };
}

/** @param {Unsubscribed} found */
function describe(found) {
  return found.scope === "thread"
    ? `emails about the thread ‘${found.thread_title}’ in ${found.room_title}`
    : "notification emails from Convene";
}

/** The page a "stop emails" link opens: say what it stops, then stop it on a button press. @param {HTMLElement} main */
export function unsubscribeView(main, /** @type {{query: URLSearchParams}} */ { query }) {
  const heading = h("h1", { tabindex: "-1" }, "Stop emails");
  const body = h("div", {}, h("p", { role: "status" }, "Checking the link…"));
  replaceContent(main, h("div", { class: "narrow" }, heading, body));
  const token = query.get("token") || "";
  const path = `/unsubscribe?token=${encodeURIComponent(token)}`;

  (async () => {
    /** @type {Unsubscribed} */
    let found;
    try {
      found = await get(path);
    } catch (error) {
      replaceContent(body, h("p", {}, error instanceof Error ? error.message : String(error)),
        h("p", {}, h("a", { href: "/settings/notifications" }, "Change your email settings"), " after signing in."));
      return;
    }
    const button = h("button", { type: "button", class: "button" }, "Stop these emails");
    const done = h("p", { role: "status" });
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        /** @type {Unsubscribed} */
        const result = await api("POST", path);
        replaceContent(done, `Done: no more ${describe(result)}.`);
        button.hidden = true;
      } catch (error) {
        replaceContent(done, `That did not work: ${error instanceof Error ? error.message : error}`);
        button.disabled = false;
      }
    });
    replaceContent(body, h("p", {}, `This stops ${found.scope === "all" ? "all " : ""}${describe(found)}.`), button, done,
      h("p", {}, "You can change this at any time in your ", h("a", { href: "/settings/notifications" }, "email settings"), "."));
  })();

  return { title: "Stop emails", heading };
}
