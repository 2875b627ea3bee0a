// @ts-check
// The page behind an emailed invitation link (/invitation?token=...).
//
// Like the other pages reached from an email, it never acts on load: mail
// scanners fetch links before people click them, and a single-use invitation
// spent by a scanner would leave the invited person locked out. It asks for a
// button press, then redeems the token: that signs the person in, confirms their
// address and lands them in the room.
import { h, replaceContent, setServerHtml } from "../dom.js";
import { post, ApiError } from "../api.js";
import { whileBusy, field } from "../forms.js";
import { setTitle } from "../page.js";
import { setUser } from "../session.js";
import { navigate } from "../router.js";
import { announceStatus } from "../announcer.js";

/**
 * @typedef {{room: {id: number, slug: string, title: string, summary_html: string},
 *   invited_by: import("../protocol.js").User | null, email: string, organisation_needed: boolean}} InvitationPreview
 */

/**
 * @param {HTMLElement} main
 * @param {{query: URLSearchParams}} route
 */
export function invitationView(main, { query }) {
  const title = "Accept your invitation";
  const heading = h("h1", { tabindex: "-1" }, title);
  const container = h("div", { class: "narrow" }, heading);
  const token = query.get("token");
  if (!token) {
    container.append(h("p", {}, "This link is incomplete. Copy the whole link from the invitation email into the address bar."));
    replaceContent(main, container);
    return { title, heading };
  }
  const result = h("div", { class: "token-result" });
  const intro = h("div", { class: "invitation-intro" },
    h("p", {}, "You have been invited to a room on Convene, where councils, government teams and suppliers keep talking between workshops."));
  const organisation = field({ name: "organisation", label: "Your organisation", autocomplete: "organization",
    hint: "Shown beside your name on what you post, so others know who you work for." });
  organisation.wrapper.hidden = true;
  const button = h("button", { type: "button", class: "button" }, "Accept and go to the room");
  button.addEventListener("click", () => whileBusy(button, async () => {
    try {
      const named = organisation.wrapper.hidden ? "" : organisation.input.value.trim();
      const { user, room } = await post("/invitations/redeem", named ? { token, organisation: named } : { token });
      setUser(user);
      announceStatus(`Signed in as ${user.display_name}. Welcome to ${room.title}.`);
      navigate(`/r/${encodeURIComponent(room.slug)}`, { replace: true });
    } catch (error) {
      showProblem(error);
    }
  }));

  /** @param {unknown} error */
  function showProblem(error) {
    const refused = error instanceof ApiError && error.status === 400;
    replaceContent(result, h("div", { class: "error-summary", role: "alert" },
      h("h2", { class: "error-summary-title" }, "There is a problem"),
      h("p", {}, error instanceof Error ? error.message : String(error)),
      refused
        ? h("p", {}, "If you have joined before, ", h("a", { href: "/signin" }, "sign in with your password or an emailed link"),
          ". Otherwise ask the person who invited you to send the invitation again.")
        : null));
  }

  // Reading what the link leads to does not use it (a mail scanner's fetch is harmless).
  post("/invitations/preview", { token }).then((/** @type {InvitationPreview} */ preview) => {
    const by = preview.invited_by;
    setTitle(`${title} to ${preview.room.title}`);
    replaceContent(intro,
      h("p", { class: "lead" }, by
        ? [h("strong", {}, by.display_name), by.organisation && by.organisation.name ? ` (${by.organisation.name})` : "",
          " invited you (", preview.email, ") to the room ", h("strong", {}, preview.room.title), " on Convene."]
        : ["You (", preview.email, ") have been invited to the room ", h("strong", {}, preview.room.title), " on Convene."]),
      preview.room.summary_html ? setServerHtml(h("div", { class: "prose room-summary" }), preview.room.summary_html) : null);
    organisation.wrapper.hidden = !preview.organisation_needed;
  }).catch(showProblem);

  container.append(intro,
    h("p", {}, "Press the button to join the room and sign in on this device. You do not need a password."),
    organisation.wrapper, button, result);
  replaceContent(main, container);
  return { title, heading };
}
