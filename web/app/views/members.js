// A room's members: who they are, their organisation (verified or self-declared)
// and whether they are online now. Online people come first; "Online" and
// "Offline" are written out, the dot beside them is decoration.
import { h } from "../dom.js";
import { organisationLabel, plural } from "../labels.js";

const ROLE_NAMES = { owner: "Owner", facilitator: "Facilitator" };

/** The Members section for `members` (a Map of user id -> member); `me` is the reader. */
export function membersSection(members, me) {
  const list = [...members.values()].sort((a, b) =>
    Number(Boolean(b.online)) - Number(Boolean(a.online)) || a.user.display_name.localeCompare(b.user.display_name));
  const online = list.filter((m) => m.online).length;
  return h("section", { class: "room-members", "aria-labelledby": "members-heading" },
    h("h2", { id: "members-heading" }, "Members"),
    h("p", { class: "members-summary" }, `${plural(list.length, "member")}, ${online} online now.`),
    h("ul", { class: "member-list" }, list.map((member) => h("li", { class: `member${member.online ? " is-online" : ""}` },
      h("span", { class: "presence-dot", "aria-hidden": "true" }),
      h("span", { class: "member-name" }, member.user.display_name),
      me && member.user.id === me.id ? h("span", { class: "hint" }, " (you)") : null,
      member.user.organisation ? [" ", organisationLabel(member.user.organisation)] : null,
      ROLE_NAMES[member.role] ? [" ", h("span", { class: "badge badge-plain" }, ROLE_NAMES[member.role])] : null,
      " ",
      h("span", { class: "presence-text" }, member.online ? "Online" : "Offline")))));
}
