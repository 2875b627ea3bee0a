// @ts-check
// The page behind an emailed invitation link (/invitation?token=...).
//
// Like the other pages reached from an email, it never acts on load: mail
// scanners fetch links before people click them, and a single-use invitation
// spent by a scanner would leave the invited person locked out. It asks for a
// button press, then redeems the token: that signs the person in, confirms their
// address and lands them in the room.
import { h, replaceContent } from "../dom.js";
import { post, ApiError } from "../api.js";
import { whileBusy } from "../forms.js";
import { setUser } from "../session.js";
import { navigate } from "../router.js";
import { announceStatus } from "../announcer.js";

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
  const button = h("button", { type: "button", class: "button" }, "Accept and go to the room");
  button.addEventListener("click", () => whileBusy(button, async () => {
    try {
      const { user, room } = await post("/invitations/redeem", { token });
      setUser(user);
      announceStatus(`Signed in as ${user.display_name}. Welcome to ${room.title}.`);
      navigate(`/r/${encodeURIComponent(room.slug)}`, { replace: true });
    } catch (error) {
      const refused = error instanceof ApiError && error.status === 400;
      replaceContent(result, h("div", { class: "error-summary", role: "alert" },
        h("h2", { class: "error-summary-title" }, "There is a problem"),
        h("p", {}, error instanceof Error ? error.message : String(error)),
        refused
          ? h("p", {}, "If you have joined before, ", h("a", { href: "/signin" }, "sign in with your password or an emailed link"),
            ". Otherwise ask the person who invited you to send the invitation again.")
          : null));
    }
  }));
  container.append(
    h("p", {}, "You have been invited to a room on Convene, where councils, government teams and suppliers keep talking between workshops."),
    h("p", {}, "Press the button to join the room and sign in on this device. You do not need a password."),
    button, result);
  replaceContent(main, container);
  return { title, heading };
}
