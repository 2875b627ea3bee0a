// @ts-check
// The administration pages' own navigation (people, rooms, organisations, inbound
// email, audit log), and the notice non-administrators see instead of a page.
import { h, replaceContent } from "../dom.js";
import { session } from "../session.js";

export const ADMIN_PAGES = [
  ["/admin/people", "People"],
  ["/admin/rooms", "Rooms"],
  ["/admin/organisations", "Organisations"],
  ["/admin/inbound-mail", "Inbound email"],
  ["/admin/audit", "Audit log"],
];

/** @param {string} current the path of the page shown */
export function adminNav(current) {
  // Not "header-links": those are white for the dark site header, and this sits on the page.
  return h("nav", { class: "admin-nav", "aria-label": "Administration" },
    h("ul", { class: "section-links" }, ADMIN_PAGES.map(([href, label]) =>
      h("li", {}, h("a", { href, "aria-current": href === current ? "page" : null }, label)))));
}

/**
 * For a page only administrators may see: true when the signed-in person is one;
 * otherwise the page says so and false is returned.
 * @param {HTMLElement} main @param {HTMLElement} heading
 */
export function administratorsOnly(main, heading) {
  if (session.user?.role === "administrator") return true;
  replaceContent(main, h("div", { class: "narrow" }, heading, h("p", {}, "Only administrators can see this page.")));
  return false;
}
