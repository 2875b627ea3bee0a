// @ts-check
// "Invite someone by email": owners, facilitators and administrators add an
// existing Convene account to the room. Only accounts can be added: there is no
// invitation email, so an unknown address gets a plain answer instead.
import { h, uniqueId } from "../dom.js";
import { post } from "../api.js";
import { field, errorSummary, onValidSubmit, errorsFrom } from "../forms.js";
import { announceStatus } from "../announcer.js";

const NO_ACCOUNT = "There is no Convene account for that address; ask them to sign up first";

/**
 * The form for `room`. `memberIds()` gives the ids of the members shown now;
 * `onInvited(userId)` runs after the server added someone and resolves with
 * their name (or null if the member list could not be read).
 */
/**
 * @param {{room: import("../protocol.js").Room, memberIds: () => Iterable<number>,
 *   onInvited: (userId: number) => Promise<string | null>}} options
 */
export function inviteForm({ room, memberIds, onInvited }) {
  const headingId = uniqueId("invite-heading");
  const email = field({ name: "email", label: "Email address", type: "email", autocomplete: "off", spellcheck: "false",
    hint: "They need a Convene account. They can open the room as soon as you add them." });
  const errors = errorSummary();
  const done = h("p", { class: "inline-status invite-done" });
  const button = h("button", { type: "submit", class: "button button-secondary" }, "Invite");
  const form = h("form", { class: "form invite-form", novalidate: true, "aria-labelledby": headingId },
    h("h3", { id: headingId }, "Invite someone by email"),
    errors.box, email.wrapper, h("div", { class: "form-actions" }, button), done);

  onValidSubmit(form, errors, button, {
    check: () => {
      done.textContent = "";
      const value = email.input.value.trim();
      if (!value) return [{ field: "email", message: "Enter the email address of the person to invite" }];
      if (!/^[^\s@]+@[^\s@]+$/.test(value)) {
        return [{ field: "email", message: "Enter an email address in the correct format, like name@example.gov.uk" }];
      }
      return [];
    },
    send: async () => {
      // Taken before asking: their member.joined event can arrive before the answer.
      const before = new Set(memberIds());
      const address = email.input.value.trim();
      const { member } = await post(`/rooms/${room.id}/members`, { email: address });
      const already = before.has(member.user_id);
      const name = (await onInvited(member.user_id)) || address;
      const text = already ? `${name} is already a member` : `${name} added`;
      done.textContent = `${text}.`;
      announceStatus(text);
      email.input.value = "";
      email.input.focus();
    },
    onError: (/** @type {import("../api.js").ApiError} */ error) => (error.status === 404 && error.field === "email"
      ? [{ field: "email", message: NO_ACCOUNT }]
      : errorsFrom(error, ["email"])),
  });
  return { form };
}
