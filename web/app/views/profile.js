// @ts-check
// "Your account": change your name and organisation, your email address (a link goes
// to the new address; the old one is told), your password (every other session ends),
// see where you are signed in and end any of those sessions, download your data, and
// delete your account. Destructive steps ask first (confirm-dialog.js).
import { h, replaceContent } from "../dom.js";
import { api, get, patch, post, del, ApiError } from "../api.js";
import { field, checkbox, errorSummary, onValidSubmit, checkRules } from "../forms.js";
import { announceStatus } from "../announcer.js";
import { confirmAction } from "../confirm-dialog.js";
import { session, setUser } from "../session.js";
import { navigate } from "../router.js";
import { signOut } from "./auth.js";
import { timeElement } from "../time.js";

/** @typedef {{id: string, device: string, address: string | null, signed_in_at: string, expires_at: string, current: boolean}} SignedIn */

/** @param {string} title @param {string} id @param {...import("../dom.js").Child} children */
function section(title, id, ...children) {
  return h("section", { class: "profile-section", "aria-labelledby": id }, h("h2", { id }, title), ...children);
}

/** A small form: fields, a submit button, the shared error summary and a status line. */
function smallForm(/** @type {{fields: {wrapper: HTMLElement}[], button: string, names: string[],
  send: () => Promise<string>, rules?: () => import("../forms.js").Rule[]}} */ { fields, button, names, send, rules }) {
  const errors = errorSummary();
  const submit = h("button", { type: "submit", class: "button" }, button);
  const status = h("p", { class: "hint", role: "status" });
  const form = h("form", { class: "form", novalidate: true }, errors.box, fields.map((f) => f.wrapper),
    h("div", { class: "form-actions" }, submit), status);
  onValidSubmit(form, errors, submit, {
    check: () => (rules ? checkRules(rules()) : []),
    send: async () => {
      status.textContent = "";
      status.textContent = await send(); // a status region: read out once, where it is shown
    },
    fieldNames: names,
  });
  return form;
}

/** @param {HTMLElement} main */
export function profileView(main) {
  const heading = h("h1", { tabindex: "-1" }, "Your account");
  const user = session.user;
  if (!user) return { title: "Your account", heading };

  const name = field({ name: "display_name", label: "Your name", value: user.display_name, autocomplete: "name" });
  const organisation = field({ name: "organisation", label: "Your organisation", value: user.organisation?.name || "",
    autocomplete: "organization",
    hint: user.organisation?.verified
      ? "Verified from your email address. What you type here shows only if your address stops matching an organisation."
      : "Shown as self-declared unless your email address belongs to an organisation Convene knows." });
  const details = smallForm({ fields: [name, organisation], button: "Save your details", names: ["display_name", "organisation"],
    rules: () => [
      { field: "display_name", label: "Your name", input: name.input, required: "Enter your name", max: session.limits.display_name_chars },
      { field: "organisation", label: "Your organisation", input: organisation.input, max: session.limits.organisation_chars },
    ],
    send: async () => {
      const answer = await patch("/me", { display_name: name.input.value, organisation: organisation.input.value });
      setUser(answer.user);
      return "Your details are saved.";
    } });

  const newEmail = field({ name: "email", label: "New email address", type: "email", autocomplete: "email", spellcheck: "false" });
  const emailPassword = field({ name: "current_password", label: "Your current password", type: "password",
    autocomplete: "current-password", hint: "Leave empty if you only sign in with emailed links." });
  const email = smallForm({ fields: [newEmail, emailPassword], button: "Change email address", names: ["email", "current_password"],
    rules: () => [{ field: "email", label: "New email address", input: newEmail.input, required: "Enter your new email address", email: true }],
    send: async () => {
      await post("/me/email", { email: newEmail.input.value, current_password: emailPassword.input.value || null });
      emailPassword.input.value = "";
      return `We have sent a link to ${newEmail.input.value}. Your address changes when you follow it.`;
    } });

  const oldPassword = field({ name: "current_password", label: "Current password", type: "password", autocomplete: "current-password",
    hint: "Leave empty if you have never set one." });
  const newPassword = field({ name: "new_password", label: "New password", type: "password", autocomplete: "new-password",
    hint: "At least 10 characters. Every other browser signed in to your account will be signed out." });
  const password = smallForm({ fields: [oldPassword, newPassword], button: "Change password", names: ["current_password", "new_password"],
    rules: () => [{ field: "new_password", label: "New password", input: newPassword.input, required: "Enter a new password", raw: true,
      min: session.limits.password_min_chars, max: session.limits.password_max_chars }],
    send: async () => {
      const answer = await post("/me/password", { current_password: oldPassword.input.value || null, new_password: newPassword.input.value });
      oldPassword.input.value = "";
      newPassword.input.value = "";
      await loadSessions();
      return `Your password is changed. ${answer.ended_sessions} other session${answer.ended_sessions === 1 ? " was" : "s were"} signed out.`;
    } });

  const sessionsList = h("ul", { class: "sessions-list" });
  const sessionsHeading = h("h2", { id: "profile-sessions", tabindex: "-1" }, "Where you are signed in");
  const sessionsStatus = h("p", { class: "hint", role: "status" }, "Loading…");
  async function loadSessions() {
    try {
      /** @type {SignedIn[]} */
      const sessions = (await get("/me/sessions")).sessions;
      replaceContent(sessionsList, sessions.map(sessionItem));
      sessionsStatus.textContent = "";
    } catch (error) {
      sessionsStatus.textContent = error instanceof Error ? error.message : String(error);
    }
  }
  /** @param {SignedIn} signedIn */
  function sessionItem(signedIn) {
    const end = h("button", { type: "button", class: "button button-secondary button-small" }, "Sign out",
      h("span", { class: "visually-hidden" }, ` ${signedIn.device}`));
    end.addEventListener("click", async () => {
      try {
        await del(`/me/sessions/${signedIn.id}`);
        announceStatus(`${signedIn.device} is signed out.`);
        await loadSessions();
        sessionsHeading.focus(); // the button is gone with its row: focus goes to the section's heading
      } catch (error) {
        sessionsStatus.textContent = error instanceof Error ? error.message : String(error);
      }
    });
    return h("li", {}, h("strong", {}, signedIn.device), signedIn.current ? " (this browser)" : "", h("br"),
      "Signed in ", timeElement(signedIn.signed_in_at), signedIn.address ? ` from ${signedIn.address}` : "",
      signedIn.current ? null : h("div", {}, end));
  }
  const everywhere = h("button", { type: "button", class: "button button-warning" }, "Sign out everywhere");
  everywhere.addEventListener("click", async () => {
    if (await confirmAction({ title: "Sign out everywhere?", confirmLabel: "Sign out everywhere",
      text: "Every browser and device signed in to your account will be signed out, this one included." })) {
      await signOut({ everywhere: true });
    }
  });

  const remove = h("button", { type: "button", class: "button button-warning" }, "Delete your account");
  remove.addEventListener("click", async () => {
    const confirmPassword = field({ name: "delete_password", label: "Your password", type: "password", autocomplete: "current-password",
      hint: "Leave empty if you only sign in with emailed links." });
    const erase = checkbox({ name: "erase_messages", label: "Also erase every message I wrote",
      hint: "Only where this site's administrators allow it. Otherwise your messages stay, under “Former member”." });
    const sure = await confirmAction({ title: "Delete your account?", confirmLabel: "Delete my account", cancelLabel: "Keep my account",
      text: "Your name, email address, organisation and sessions are removed. Your messages stay in their threads under "
        + "“Former member”. This cannot be undone.", extra: h("div", {}, confirmPassword.wrapper, erase.wrapper) });
    if (!sure) return;
    try {
      await post("/me/delete", { confirm: "delete", current_password: confirmPassword.input.value || null,
        erase_messages: erase.input.checked });
    } catch (error) {
      announceStatus(`Your account was not deleted: ${error instanceof ApiError ? error.message : error}`);
      deleteStatus.textContent = `Your account was not deleted: ${error instanceof Error ? error.message : error}`;
      return;
    }
    session.leaving = true;
    setUser(null);
    session.leaving = false;
    announceStatus("Your account is deleted.");
    navigate("/signin");
  });
  const deleteStatus = h("p", { class: "error-message", role: "alert" });

  replaceContent(main, h("div", { class: "narrow" }, heading,
    h("p", {}, `Signed in as ${user.email}.`),
    section("Your details", "profile-details", details),
    section("Email address", "profile-email", h("p", {}, `Your address is ${user.email}.`), email),
    section("Password", "profile-password", password),
    h("section", { class: "profile-section", "aria-labelledby": "profile-sessions" }, sessionsHeading, sessionsStatus, sessionsList,
      everywhere),
    section("Email notifications", "profile-notifications",
      h("p", {}, "Choose when Convene emails you in your ", h("a", { href: "/settings/notifications" }, "email settings"), ".")),
    section("Your data", "profile-data",
      h("p", {}, "Everything Convene holds about you: your profile, rooms, messages with their edits, sessions and the audit "
        + "entries about you, as one JSON file."),
      h("p", {}, h("a", { href: "/api/v1/me/data", download: "convene-my-data.json" }, "Download your data"))),
    section("Delete your account", "profile-delete", remove, deleteStatus)));
  return { title: "Your account", heading, enter: async () => { await loadSessions(); return null; } };
}

/** The page the link sent to a new address opens: a button press confirms it. @param {HTMLElement} main */
export function confirmEmailView(main, /** @type {{query: URLSearchParams}} */ { query }) {
  const heading = h("h1", { tabindex: "-1" }, "Confirm your new email address");
  const button = h("button", { type: "button", class: "button" }, "Use this address");
  const status = h("p", { role: "status" });
  button.addEventListener("click", async () => {
    try {
      const answer = await api("POST", "/auth/confirm-email", { token: query.get("token") || "" });
      if (session.user && session.user.id === answer.user.id) setUser(answer.user);
      status.textContent = `Done: your address is now ${answer.user.email}.`;
      button.hidden = true;
    } catch (error) {
      status.textContent = error instanceof Error ? error.message : String(error);
    }
  });
  replaceContent(main, h("div", { class: "narrow" }, heading,
    h("p", {}, "Press the button to make this the address of your Convene account."), button, status));
  return { title: "Confirm your new email address", heading };
}
