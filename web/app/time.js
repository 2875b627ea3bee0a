// @ts-check
// Times are shown in the reader's own time zone, in British English, inside
// <time datetime> so assistive technology and copy/paste get the exact instant.
import { h } from "./dom.js";

const timeOfDay = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit" });
const dayAndTime = new Intl.DateTimeFormat("en-GB", {
  day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
});
const fullDate = new Intl.DateTimeFormat("en-GB", {
  day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit",
});
const longDate = new Intl.DateTimeFormat("en-GB", {
  weekday: "long", day: "numeric", month: "long", year: "numeric", hour: "2-digit", minute: "2-digit",
});

/** @param {string | null | undefined} iso */
export function formatTime(iso) {
  const date = new Date(iso || "");
  if (Number.isNaN(date.getTime())) return "";
  const now = new Date();
  if (date.toDateString() === now.toDateString()) return timeOfDay.format(date);
  if (date.getFullYear() === now.getFullYear()) return dayAndTime.format(date);
  return fullDate.format(date);
}

/** @param {string} iso @param {string} [className] */
export function timeElement(iso, className = "") {
  const date = new Date(iso);
  return h("time", {
    datetime: iso,
    class: className || null,
    title: Number.isNaN(date.getTime()) ? null : longDate.format(date),
  }, formatTime(iso));
}
