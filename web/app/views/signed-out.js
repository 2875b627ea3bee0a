// @ts-check
// "You were signed out": shown in place of the page when the server ends the
// session while it is open (signed out in another tab or everywhere, or the
// account deactivated), instead of reconnecting for ever. The explanation is an
// alert, so screen readers say it at once, and the way back is a link.
import { h, replaceContent } from "../dom.js";
import { signedOutReason } from "../session.js";

/**
 * @param {HTMLElement} main
 * @param {{reason: import("../protocol.js").RevocationReason | null, next: string}} options
 */
export function signedOutView(main, { reason, next }) {
  const heading = h("h1", { tabindex: "-1" }, "You were signed out");
  const signIn = next && next !== "/" ? `/signin?next=${encodeURIComponent(next)}` : "/signin";
  replaceContent(main, h("div", { class: "narrow" },
    heading,
    h("div", { class: "panel signed-out", role: "alert" },
      h("p", {}, "You were signed out. ", signedOutReason(reason)),
      h("p", {}, "Messages you had not sent yet are kept on this device and will be sent when you sign in again.")),
    h("p", {}, h("a", { href: signIn, class: "button" }, "Sign in again"))));
  return { title: "You were signed out", heading };
}
