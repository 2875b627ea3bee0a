// @ts-check
// "Invite people by email": owners, facilitators and administrators invite one or
// many addresses in one go. People without a Convene account are invited (an email
// with a link that signs them in and lands them in the room); people with one are
// added and told by email. The answer says what happened for each address, in a
// list inside a polite live region so screen reader users hear it too.
import { h, uniqueId, replaceContent } from "../dom.js";
import { post } from "../api.js";
import { field, errorSummary, onValidSubmit, errorsFrom } from "../forms.js";
import { splitAddresses, describeResult, summarise, entryProblem } from "../invitees.js";
import { session } from "../session.js";

/** @typedef {import("../invitees.js").InvitationResult} InvitationResult */


/**
 * The form for `room`. `onInvited(userId)` runs after the server added someone
 * (the member list is re-read); `memberIds` is kept for callers that pass it.
 * @param {{room: import("../protocol.js").Room, memberIds?: () => Iterable<number>,
 *   onInvited: (userId: number) => Promise<string | null>}} options
 */
export function inviteForm({ room, onInvited }) {
  const headingId = uniqueId("invite-heading");
  const emails = field({ name: "emails", label: "Email addresses", control: "textarea", rows: 3, spellcheck: "false",
    hint: "One or more addresses, separated by commas, semicolons, spaces or new lines. "
      + "People without a Convene account get an email with a link that signs them in to this room." });
  emails.input.setAttribute("autocomplete", "off");
  const errors = errorSummary();
  const resultsId = uniqueId("invite-results");
  // role="status" is a polite live region: the list is read out once it is filled.
  const results = h("div", { class: "invite-results", id: resultsId, role: "status" });
  const button = h("button", { type: "submit", class: "button button-secondary" }, "Invite");
  const form = h("form", { class: "form invite-form", novalidate: true, "aria-labelledby": headingId },
    h("h3", { id: headingId }, "Invite people by email"),
    errors.box, emails.wrapper, h("div", { class: "form-actions" }, button), results);

  onValidSubmit(form, errors, button, {
    check: () => {
      replaceContent(results);
      const entries = splitAddresses(emails.input.value);
      if (!entries.length) return [{ field: "emails", message: "Enter the email address of at least one person to invite" }];
      /** @type {import("../forms.js").FieldError[]} */
      const problems = [];
      if (entries.length > session.limits.invitees) {
        problems.push({ field: "emails", message: `Enter at most ${session.limits.invitees} addresses at a time; you entered ${entries.length}` });
      }
      // Every entry that is not an address, all at once, as typed.
      const pattern = new RegExp(session.limits.email_pattern);
      for (const entry of entries) {
        const problem = entryProblem(entry, pattern);
        if (problem) problems.push({ field: "emails", message: problem });
      }
      return problems;
    },
    send: async () => {
      const entries = splitAddresses(emails.input.value);
      /** @type {{results: InvitationResult[]}} */
      const answer = await post(`/rooms/${room.id}/members`, { emails: entries });
      showResults(answer.results);
      // Keep only what was refused, so it can be corrected and sent again.
      const refused = answer.results.filter((r) => r.outcome === "error").map((r) => r.email || "");
      emails.input.value = refused.join("\n");
      emails.input.focus();
      const joined = answer.results.find((r) => (r.outcome === "invited" || r.outcome === "added") && r.user_id !== null);
      if (joined && joined.user_id !== null) await onInvited(joined.user_id);
    },
    onError: (/** @type {import("../api.js").ApiError} */ error) => errorsFrom(error, ["emails"]),
  });

  /** @param {InvitationResult[]} list */
  function showResults(list) {
    replaceContent(results,
      h("p", { class: "invite-summary" }, `${summarise(list)}:`),
      h("ul", { class: "invite-result-list" },
        list.map((r) => h("li", { class: r.outcome === "error" ? "invite-result invite-result-error" : "invite-result",
          dataset: { outcome: r.outcome } }, describeResult(r)))));
  }

  return { form };
}
