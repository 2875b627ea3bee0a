// @ts-check
// Moving a room to another stage: the dialog that asks for the stage, an optional
// note and, for incubation, the programme's three criteria; and the "Move" menu
// button the pipeline board puts on each card (WAI-ARIA menu button: arrows, Home,
// End, Escape; never drag). Both send the one move request,
// POST /api/v1/rooms/{room}/stage, and show the server's refusals beside the field.
import { h, hiddenText, uniqueId } from "../dom.js";
import { post } from "../api.js";
import { stageLabel } from "../labels.js";
import { field, errorSummary, onValidSubmit } from "../forms.js";
import { CRITERIA, INCUBATION, stagesTo, moveBody, moveProblems, menuMove } from "../pipeline.js";

/** @typedef {{id: number, title: string, stage: string}} MovableRoom */
/** @typedef {{move: import("../protocol.js").StageMove, room: import("../protocol.js").Room}} MoveAnswer */

const FIELD_NAMES = ["stage", "note", "criteria", ...CRITERIA.map(([name]) => `criteria.${name}`)];

/**
 * Open the move dialog (modal: focus stays inside; Escape or Cancel closes it and
 * focus returns to `opener`). `onMoved` runs after the server accepted the move.
 * @param {{room: MovableRoom, stage?: string, opener?: HTMLElement | null, onMoved: (answer: MoveAnswer) => void}} options
 * @returns {HTMLDialogElement}
 */
export function openStageMoveDialog({ room, stage = "", opener = null, onMoved }) {
  const headingId = uniqueId("move-heading");
  const choices = stagesTo(room.stage);
  const chosen = choices.some(([value]) => value === stage) ? stage : "";
  const stageField = field({ name: "stage", label: "Move to stage", control: "select", value: chosen,
    options: [["", "Choose a stage"], ...choices],
    hint: `It is in ${stageLabel(room.stage)} now. The move is posted in the room for everyone to see.` });
  const note = field({ name: "note", label: "Note (optional)", control: "textarea", rows: 3,
    hint: "Why it is moving, or what happens next." });
  const criteria = CRITERIA.map(([name, label]) => field({ name: `criteria.${name}`, label, control: "textarea", rows: 3 }));
  const criteriaSet = h("fieldset", { class: "fieldset criteria-fieldset" },
    h("legend", { class: "legend" }, "Incubation criteria"),
    h("p", { class: "hint" }, "The programme records all three when a concept moves to incubation."),
    criteria.map((c) => c.wrapper));
  const errors = errorSummary();
  const submit = h("button", { type: "submit", class: "button" }, "Move room");
  const cancel = h("button", { type: "button", class: "button button-secondary" }, "Cancel");
  const form = h("form", { class: "form", novalidate: true },
    errors.box, stageField.wrapper, note.wrapper, criteriaSet,
    h("div", { class: "form-actions" }, submit, cancel));
  const dialog = h("dialog", { class: "dialog", "aria-labelledby": headingId },
    h("h2", { id: headingId, class: "dialog-title" }, `Move ${room.title}`), form);

  function showCriteria() {
    criteriaSet.hidden = stageField.input.value !== INCUBATION;
  }
  stageField.input.addEventListener("change", showCriteria);
  showCriteria();
  cancel.addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => {
    dialog.remove();
    if (opener && opener.isConnected) opener.focus();
  });

  function body() {
    /** @type {Record<string, string>} */
    const given = {};
    CRITERIA.forEach(([name], i) => { given[name] = criteria[i].input.value; });
    return moveBody(stageField.input.value, note.input.value, given);
  }

  onValidSubmit(form, errors, submit, {
    check: () => moveProblems(body(), room.stage),
    send: async () => {
      /** @type {MoveAnswer} */
      const answer = await post(`/rooms/${room.id}/stage`, body());
      opener = null; // the caller decides where focus goes once the room has moved
      dialog.close();
      onMoved(answer);
    },
    fieldNames: FIELD_NAMES,
  });

  document.body.append(dialog);
  dialog.showModal();
  (chosen === INCUBATION ? criteria[0].input : stageField.input).focus();
  return dialog;
}

/**
 * A "Move" button with a menu of the stages `room` can move to. Choosing one calls
 * `onChoose(stage, button)`.
 * @param {{room: MovableRoom, onChoose: (stage: string, button: HTMLButtonElement) => void}} options
 */
export function stageMenuButton({ room, onChoose }) {
  const menuId = uniqueId("stage-menu");
  const button = h("button", { type: "button", class: "button button-secondary button-small",
    "aria-haspopup": "menu", "aria-expanded": "false", "aria-controls": menuId },
  "Move", hiddenText(` ${room.title}`));
  /** @type {HTMLButtonElement[]} */
  const items = stagesTo(room.stage).map(([value, label]) => {
    const item = h("button", { type: "button", role: "menuitem", tabindex: "-1", class: "menu-item", dataset: { stage: value } }, label);
    item.addEventListener("click", () => {
      close(false);
      onChoose(value, button);
    });
    return item;
  });
  const menu = h("ul", { id: menuId, role: "menu", class: "menu", hidden: true, "aria-label": `Move ${room.title} to` },
    items.map((item) => h("li", { role: "none" }, item)));
  const element = h("div", { class: "menu-wrapper" }, button, menu);

  /** @param {number} index */
  function open(index) {
    menu.hidden = false;
    button.setAttribute("aria-expanded", "true");
    items[index]?.focus();
  }

  /** @param {boolean} returnFocus */
  function close(returnFocus) {
    if (menu.hidden) return;
    menu.hidden = true;
    button.setAttribute("aria-expanded", "false");
    if (returnFocus) button.focus();
  }

  button.addEventListener("click", () => (menu.hidden ? open(0) : close(true)));
  button.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      open(event.key === "ArrowDown" ? 0 : items.length - 1);
    }
  });
  menu.addEventListener("keydown", (event) => {
    const index = items.indexOf(/** @type {HTMLButtonElement} */ (document.activeElement));
    const next = menuMove(event.key, index, items.length);
    if (next !== null) {
      event.preventDefault();
      items[next].focus();
    } else if (event.key === "Escape") {
      event.preventDefault();
      close(true);
    } else if (event.key === "Tab") {
      close(false);
    }
  });
  element.addEventListener("focusout", (event) => {
    const next = /** @type {FocusEvent} */ (event).relatedTarget;
    if (!(next instanceof Node) || !element.contains(next)) close(false);
  });
  return { element, button };
}

/** The programme's criteria recorded when the room moved to incubation. @param {Record<string, string>} criteria */
export function criteriaDetails(criteria) {
  return h("details", { class: "criteria" },
    h("summary", {}, "Incubation criteria"),
    h("dl", {}, CRITERIA.map(([name, label]) => [h("dt", {}, label), h("dd", {}, criteria[name] || "")])));
}
