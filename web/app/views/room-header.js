// @ts-check
// A room's header: breadcrumb, title, badges, the join / leave / "Edit room"
// controls, and the archived notice. Drawn from the room store's room; what the
// reader may do comes from the server's answers (permissions.js).
import { h, replaceContent } from "../dom.js";
import { stageBadge, collaboratorsBadge, plural } from "../labels.js";
import { whileBusy } from "../forms.js";
import { confirmAction } from "../confirm-dialog.js";
import { canJoin, canLeave, canManage, isArchived } from "../permissions.js";

/** @typedef {import("../protocol.js").Room} Room */

/**
 * @param {{onJoin: () => Promise<unknown>, onLeave: () => Promise<unknown>, onMoveStage: (opener: HTMLElement) => void}} actions
 */
export function createRoomHeader({ onJoin, onLeave, onMoveStage }) {
  const heading = h("h1", { tabindex: "-1", class: "room-title" }, "Loading room…");
  const badges = h("p", { class: "badges" });
  const actions = h("div", { class: "room-actions" });
  const archivedNotice = h("p", { class: "notice archived-notice", hidden: true },
    "This room is archived and read-only. You can read its threads, but nobody can post in them.");
  const element = h("div", { class: "room-header" },
    h("nav", { class: "breadcrumbs", "aria-label": "Breadcrumb" },
      h("ol", {}, h("li", {}, h("a", { href: "/rooms" }, "Rooms")))),
    heading, badges, actions, archivedNotice);

  /** @param {Room} room */
  function render(room) {
    heading.textContent = room.title;
    archivedNotice.hidden = !isArchived(room);
    replaceContent(badges, stageBadge(room.stage),
      room.looking_for_collaborators ? collaboratorsBadge() : null,
      room.visibility === "invite" ? h("span", { class: "badge" }, "Invite only") : null,
      h("span", { class: "badge badge-plain" }, plural(room.member_count, "member")));
    // Rebuild the controls only when they change, so focus on them survives updates.
    const key = `${canJoin(room)}/${canLeave(room)}/${canManage(room)}/${room.slug}`;
    if (actions.dataset.key === key) return;
    actions.dataset.key = key;
    const controls = [];
    if (canJoin(room)) {
      const join = h("button", { type: "button", class: "button" }, "Join room");
      join.addEventListener("click", () => whileBusy(join, onJoin));
      controls.push(join);
    } else if (canLeave(room)) {
      const leave = h("button", { type: "button", class: "button button-secondary button-small" }, "Leave room");
      leave.addEventListener("click", async () => {
        const text = room.visibility === "invite"
          ? "This room is invite-only: once you leave, you cannot see it or come back unless someone invites you again."
          : "You will stop following its threads here. You can join again at any time.";
        if (await confirmAction({ title: `Leave ${room.title}?`, text, confirmLabel: "Leave room", cancelLabel: "Stay" })) {
          await whileBusy(leave, onLeave);
        }
      });
      controls.push(leave);
    }
    if (canManage(room)) {
      controls.push(h("a", { class: "button button-secondary button-small", href: `/r/${encodeURIComponent(room.slug)}/settings` },
        "Edit room"));
      // Who may manage the room may move it along the pipeline (the server's same rule).
      const move = h("button", { type: "button", class: "button button-secondary button-small", "aria-haspopup": "dialog" },
        "Move stage");
      move.addEventListener("click", () => onMoveStage(move));
      controls.push(move);
    }
    replaceContent(actions, controls);
  }

  /** @param {string} text */
  function setTitle(text) {
    heading.textContent = text;
  }

  return { element, heading, render, setTitle };
}
