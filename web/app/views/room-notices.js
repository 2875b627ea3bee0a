// @ts-check
// What the room pane shows instead of the room: it could not be found or loaded,
// or the reader has just lost access to it (room.access_lost), and the "Start a
// thread" pane with its reasons for not offering the form.
import { h } from "../dom.js";
import { ApiError } from "../api.js";
import { isArchived, canStartThread } from "../permissions.js";
import { newThreadForm } from "./new-thread.js";

/** @typedef {import("../protocol.js").Room} Room */
/** @typedef {import("../protocol.js").Thread} Thread */

/**
 * The heading and panel for a room that could not be read.
 * @param {unknown} error
 * @returns {{title: string, panel: HTMLElement}}
 */
export function roomError(error) {
  const notFound = error instanceof ApiError && (error.status === 404 || error.status === 403);
  return {
    title: notFound ? "Room not found" : "This room could not be loaded",
    panel: h("div", { class: "panel" },
      h("p", {}, notFound
        ? "There is no room at this address, or it is invite-only and you have not been invited. Check the link, or ask the room’s owner to invite you."
        : error instanceof Error ? error.message : String(error)),
      h("p", {}, h("a", { href: "/rooms" }, "Go to the room directory"))),
  };
}

/**
 * The heading and alert for a reader whose access ended while the room was open.
 * @returns {{title: string, panel: HTMLElement}}
 */
export function accessLost() {
  return {
    title: "You no longer have access to this room",
    panel: h("div", { class: "panel", role: "alert" },
      h("p", {}, "This room is invite-only and you are not a member, so you can no longer read it. Ask one of its owners to invite you."),
      h("p", {}, h("a", { href: "/rooms" }, "Go to the room directory"))),
  };
}

/**
 * The "Start a thread" pane: the form, or why there is none.
 * @param {Room} room
 * @param {(thread: Thread) => void} onStarted
 * @returns {{section: HTMLElement, heading: HTMLElement}}
 */
export function newThreadPane(room, onStarted) {
  const heading = h("h2", { id: "new-thread-heading", tabindex: "-1" }, "Start a thread");
  let content;
  if (isArchived(room)) content = h("p", {}, "This room is archived, so no new threads can be started.");
  else if (canStartThread(room)) content = newThreadForm({ room, onStarted }).form;
  else content = h("p", {}, "Join this room to start a thread.");
  return {
    section: h("section", { class: "new-thread", "aria-labelledby": "new-thread-heading" }, heading, content),
    heading,
  };
}
