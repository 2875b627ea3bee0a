// @ts-check
// A room's members: who they are, their organisation (verified or self-declared)
// and whether they are online now. Online people come first; "Online" and
// "Offline" are written out, the dot beside them is decoration.
//
// The panel is built once per room view and its list redrawn in place: presence
// changes arrive often, and redrawing the whole section would wipe what someone
// is typing into the invite form below the list.
import { h, replaceContent } from "../dom.js";
import { organisationLabel, plural } from "../labels.js";

/** @type {Record<string, string>} */
const ROLE_NAMES = { owner: "Owner", facilitator: "Facilitator" };

/** @typedef {import("../protocol.js").Member} Member */

/**
 * The Members section; `me` is the reader. Returns {element, render(members), setInvite(form|null)}.
 * @param {import("../protocol.js").User | null} me
 */
export function createMembersPanel(me) {
  const summary = h("p", { class: "members-summary" });
  const list = h("ul", { class: "member-list" });
  const inviteSlot = h("div", { class: "invite-slot" });
  const element = h("section", { class: "room-members", "aria-labelledby": "members-heading" },
    h("h2", { id: "members-heading" }, "Members"), summary, list, inviteSlot);

  /** Draw `members` (a Map of user id -> member). @param {Map<number, Member>} members */
  function render(members) {
    const sorted = [...members.values()].sort((a, b) =>
      Number(Boolean(b.online)) - Number(Boolean(a.online)) || a.user.display_name.localeCompare(b.user.display_name));
    const online = sorted.filter((m) => m.online).length;
    summary.textContent = `${plural(sorted.length, "member")}, ${online} online now.`;
    replaceContent(list, sorted.map((member) => h("li", { class: `member${member.online ? " is-online" : ""}` },
      h("span", { class: "presence-dot", "aria-hidden": "true" }),
      h("span", { class: "member-name" }, member.user.display_name),
      me && member.user.id === me.id ? h("span", { class: "hint" }, " (you)") : null,
      member.user.organisation ? [" ", organisationLabel(member.user.organisation)] : null,
      ROLE_NAMES[member.role] ? [" ", h("span", { class: "badge badge-plain" }, ROLE_NAMES[member.role])] : null,
      " ",
      h("span", { class: "presence-text" }, member.online ? "Online" : "Offline"))));
  }

  /** Show the invite form (for people who may manage the room) or nothing. @param {HTMLElement | null} form */
  function setInvite(form) {
    if (!form) inviteSlot.replaceChildren();
    else if (form.parentNode !== inviteSlot) replaceContent(inviteSlot, form);
  }

  return { element, render, setInvite };
}
