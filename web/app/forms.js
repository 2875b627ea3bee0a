// @ts-check
// Form building blocks in the GOV.UK Design System pattern: a visible label, an
// optional hint, an inline error tied to the control with aria-describedby, and
// an error summary at the top that takes focus and links to each field.
import { h, uniqueId, replaceContent } from "./dom.js";
import { session } from "./session.js";

/**
 * @typedef {object} FieldOptions
 * @property {string} name
 * @property {string} label
 * @property {"input" | "textarea" | "select"} [control]
 * @property {string} [type]
 * @property {string} [hint]
 * @property {string} [autocomplete]
 * @property {boolean} [required]
 * @property {string} [value]
 * @property {[string, string][]} [options]
 * @property {number} [rows]
 * @property {string} [spellcheck]
 * @property {string} [inputmode]
 * @property {string} [className]
 */

/** @typedef {HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement} Control */
/** @typedef {{field: string | null, message: string}} FieldError */
/** @typedef {{box: HTMLElement, list: HTMLElement}} ErrorSummary */

/**
 * A labelled control. `control` is "input" (default), "textarea" or "select".
 * Returns {wrapper, input}. The input's name is `name`, which is also the field
 * name the server uses in its errors.
 * @param {FieldOptions} options
 * @returns {{wrapper: HTMLElement, input: Control}}
 */
export function field({ name, label, control = "input", type = "text", hint, autocomplete,
  required = false, value = "", options = [], rows = 4, spellcheck, inputmode, className }) {
  const id = uniqueId(`field-${name}`);
  const hintId = hint ? `${id}-hint` : null;
  const errorId = `${id}-error`;
  /** @type {Control} */
  let input;
  if (control === "textarea") {
    input = h("textarea", { id, name, rows, class: "textarea", required, spellcheck });
    input.value = value;
  } else if (control === "select") {
    input = h("select", { id, name, class: "select" },
      options.map(([optionValue, text]) => h("option", { value: optionValue, selected: optionValue === value }, text)));
  } else {
    input = h("input", { id, name, type, class: "input", autocomplete, required, spellcheck, inputmode, value: value || null });
  }
  if (hintId) input.setAttribute("aria-describedby", hintId);
  const wrapper = h("div", { class: `form-group${className ? ` ${className}` : ""}`, dataset: { field: name } },
    h("label", { class: "label", for: id }, label),
    hint ? h("p", { class: "hint", id: hintId }, hint) : null,
    h("p", { class: "error-message", id: errorId, hidden: true }),
    input,
  );
  return { wrapper, input };
}

/**
 * A single checkbox with its label.
 * @param {{name: string, label: string, hint?: string, checked?: boolean}} options
 */
export function checkbox({ name, label, hint, checked = false }) {
  const id = uniqueId(`field-${name}`);
  const hintId = hint ? `${id}-hint` : null;
  const input = h("input", { id, name, type: "checkbox", class: "checkbox-input", checked, "aria-describedby": hintId });
  const wrapper = h("div", { class: "form-group checkbox", dataset: { field: name } },
    h("p", { class: "error-message", id: `${id}-error`, hidden: true }),
    h("div", { class: "checkbox-item" }, input, h("label", { for: id, class: "checkbox-label" }, label)),
    hint ? h("p", { class: "hint checkbox-hint", id: hintId }, hint) : null,
  );
  return { wrapper, input };
}

/**
 * A group of radio buttons in a fieldset with a legend.
 * @param {{name: string, legend: string, choices: [string, string, string?][], value: string}} options
 */
export function radios({ name, legend, choices, value }) {
  const groupId = uniqueId(`field-${name}`);
  /** @type {HTMLInputElement[]} */
  const inputs = [];
  const items = choices.map(([choiceValue, text, hint]) => {
    const id = `${groupId}-${choiceValue}`;
    const hintId = hint ? `${id}-hint` : null;
    const input = h("input", { id, name, type: "radio", value: choiceValue, class: "radio-input",
      checked: choiceValue === value, "aria-describedby": hintId });
    inputs.push(input);
    return h("div", { class: "radio-item" }, input, h("label", { for: id, class: "radio-label" }, text),
      hint ? h("p", { class: "hint radio-hint", id: hintId }, hint) : null);
  });
  const wrapper = h("div", { class: "form-group", dataset: { field: name } },
    h("fieldset", { class: "fieldset" },
      h("legend", { class: "legend" }, legend),
      h("p", { class: "error-message", id: `${groupId}-error`, hidden: true }),
      items));
  return { wrapper, inputs };
}

/**
 * What one control must hold; `label` is the words people see beside it.
 * @typedef {object} Rule
 * @property {string} field
 * @property {string} label
 * @property {Control} input
 * @property {string} [required] the message when it is empty (absent: it may be empty)
 * @property {number} [max] characters at most, after trimming
 * @property {number} [min] characters at least, when not empty
 * @property {boolean} [email] an email address by the server's rule
 * @property {boolean} [raw] check the value as typed (passwords), not trimmed
 */

/**
 * Every problem with these controls at once, in the words of their labels, checked
 * against the limits the server publishes (session.limits, GET /api/v1/session);
 * the server checks everything again.
 * @param {Rule[]} rules @returns {FieldError[]}
 */
export function checkRules(rules) {
  /** @type {FieldError[]} */
  const errors = [];
  const address = new RegExp(session.limits.email_pattern);
  for (const rule of rules) {
    const value = rule.raw ? rule.input.value : rule.input.value.trim();
    const name = plainLabel(rule.label);
    if (!value) {
      if (rule.required) errors.push({ field: rule.field, message: rule.required });
      continue;
    }
    if (rule.max !== undefined && value.length > rule.max) {
      errors.push({ field: rule.field, message: `${name} must be ${rule.max.toLocaleString("en-GB")} characters or fewer `
        + `(it is ${value.length.toLocaleString("en-GB")})` });
    } else if (rule.min !== undefined && value.length < rule.min) {
      errors.push({ field: rule.field, message: `${name} must be at least ${rule.min} characters` });
    } else if (rule.email && (value.length > session.limits.email_chars || !address.test(value))) {
      errors.push({ field: rule.field, message: `${name} must be a whole address, like name@council.gov.uk` });
    }
  }
  return errors;
}

/**
 * Problems with a comma-separated list of tags, against the published limits.
 * @param {Control} input @returns {FieldError[]}
 */
export function checkTags(input) {
  const { tags: most, tag_chars: longest } = session.limits;
  const tags = input.value.split(",").map((tag) => tag.trim()).filter(Boolean);
  /** @type {FieldError[]} */
  const errors = [];
  if (tags.length > most) errors.push({ field: "tags", message: `Enter at most ${most} tags (there are ${tags.length})` });
  const long = tags.filter((tag) => tag.length > longest);
  if (long.length) {
    errors.push({ field: "tags", message: `Each tag must be ${longest} characters or fewer: ${long.map((t) => `“${t}”`).join(", ")} `
      + `${long.length === 1 ? "is" : "are"} longer` });
  }
  return errors;
}

/** A label without its "(optional)". @param {string} label */
function plainLabel(label) {
  return label.replace(/\s*\(optional\)\s*$/i, "");
}

/**
 * The server names fields as its API does ("Display_name must be...", "Title must
 * be..."); beside a control, the sentence starts with the control's label instead.
 * @param {string} message @param {string} field @param {string} label
 */
export function inLabelWords(message, field, label) {
  if (message.toLowerCase().startsWith(plainLabel(label).toLowerCase())) return message; // already in its words
  const spelled = field.replace(/_/g, "[ _]");
  return message.replace(new RegExp(`^${spelled}\\b`, "i"), plainLabel(label));
}

/** The error summary box placed at the top of a form; hidden until needed. @returns {ErrorSummary} */
export function errorSummary() {
  const titleId = uniqueId("error-summary-title");
  const list = h("ul", { class: "error-summary-list" });
  const box = h("div", { class: "error-summary", tabindex: "-1", hidden: true, "aria-labelledby": titleId },
    h("h2", { class: "error-summary-title", id: titleId }, "There is a problem"),
    list);
  return { box, list };
}

/**
 * Show errors on a form. `errors` is [{field, message}]; a field of null is a
 * general error. Moves focus to the summary so screen reader users hear it.
 * @param {HTMLFormElement} form @param {ErrorSummary} summary @param {FieldError[]} errors
 */
export function showErrors(form, summary, errors) {
  clearErrors(form, summary);
  if (!errors.length) return;
  for (const error of errors) {
    const group = error.field ? form.querySelector(`[data-field="${CSS.escape(error.field)}"]`) : null;
    const control = group ? /** @type {HTMLElement | null} */ (group.querySelector("input, textarea, select")) : null;
    let item;
    if (group && control) {
      group.classList.add("form-group-error");
      const message = /** @type {HTMLElement} */ (group.querySelector(".error-message"));
      const label = group.querySelector("label, legend")?.textContent || "";
      const text = label && error.field ? inLabelWords(error.message, error.field, label) : error.message;
      // Several problems with one control are all shown beside it.
      const earlier = message.hidden ? [] : [...message.childNodes].slice(1);
      replaceContent(message, h("span", { class: "visually-hidden" }, "Error: "), ...earlier, earlier.length ? " " : null, text);
      message.hidden = false;
      for (const input of group.querySelectorAll("input, textarea, select")) {
        input.setAttribute("aria-invalid", "true");
        const described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
        if (!described.includes(message.id)) input.setAttribute("aria-describedby", [message.id, ...described].join(" "));
      }
      const link = h("a", { href: `#${control.id}` }, text);
      link.addEventListener("click", (event) => {
        event.preventDefault();
        control.focus();
      });
      item = h("li", {}, link);
    } else {
      item = h("li", {}, error.message);
    }
    summary.list.append(item);
  }
  summary.box.hidden = false;
  summary.box.focus();
}

/** @param {HTMLFormElement} form @param {ErrorSummary} summary */
export function clearErrors(form, summary) {
  summary.box.hidden = true;
  summary.list.replaceChildren();
  for (const group of form.querySelectorAll(".form-group-error")) group.classList.remove("form-group-error");
  for (const message of /** @type {NodeListOf<HTMLElement>} */ (form.querySelectorAll(".error-message"))) {
    message.hidden = true;
    message.replaceChildren();
    const id = message.id;
    for (const input of form.querySelectorAll(`[aria-describedby~="${CSS.escape(id)}"]`)) {
      const rest = (input.getAttribute("aria-describedby") || "").split(" ").filter((x) => x && x !== id);
      if (rest.length) input.setAttribute("aria-describedby", rest.join(" "));
      else input.removeAttribute("aria-describedby");
      input.removeAttribute("aria-invalid");
    }
  }
}

/**
 * The submit flow every form shares: check locally first (problems shown in the
 * summary and beside their fields), then send, one request at a time; a refusal
 * from the server is shown the same way. `check()` returns [{field, message}];
 * `fieldNames` maps server error fields onto this form's fields; `onError(error)`
 * may return the errors to show instead.
 * @param {HTMLFormElement} form
 * @param {ErrorSummary} summary
 * @param {HTMLButtonElement} button
 * @param {{check?: () => FieldError[], send: () => Promise<unknown>, fieldNames?: string[],
 *   onError?: ((error: any) => FieldError[]) | null}} flow
 */
export function onValidSubmit(form, summary, button, { check = () => [], send, fieldNames = [], onError = null }) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const problems = check();
    if (problems.length) {
      showErrors(form, summary, problems);
      return;
    }
    clearErrors(form, summary);
    whileBusy(button, async () => {
      try {
        await send();
      } catch (error) {
        showErrors(form, summary, onError ? onError(error) : errorsFrom(/** @type {Error} */ (error), fieldNames));
      }
    });
  });
}

/**
 * Turn an ApiError into the list showErrors expects.
 * @param {{field?: string | null, message?: string}} error @param {string[]} [fieldNames] @returns {FieldError[]}
 */
export function errorsFrom(error, fieldNames = []) {
  const field = error.field && fieldNames.includes(error.field) ? error.field : null;
  return [{ field, message: error.message || "Something went wrong. Try again." }];
}

/**
 * Run `work` unless it is already running for this button, so a form cannot be
 * sent twice. The button is marked aria-disabled rather than disabled: a
 * disabled button would drop keyboard focus to the top of the page.
 */
/**
 * @template T
 * @param {HTMLElement} button @param {() => Promise<T>} work @returns {Promise<T | undefined>}
 */
export async function whileBusy(button, work) {
  if (button.dataset.busy) return undefined;
  button.dataset.busy = "true";
  button.setAttribute("aria-disabled", "true");
  try {
    return await work();
  } finally {
    delete button.dataset.busy;
    button.removeAttribute("aria-disabled");
  }
}
