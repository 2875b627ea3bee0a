// @ts-check
// The "Start a thread" form: a title and the first message.
import { h } from "../dom.js";
import { post } from "../api.js";
import { field, errorSummary, onValidSubmit } from "../forms.js";

/**
 * Build the form for `room`. `onStarted(thread)` runs after the server created it.
 * Returns {form, focus()}.
 */
/**
 * @param {{room: import("../protocol.js").Room, onStarted: (thread: import("../protocol.js").Thread) => void}} options
 */
export function newThreadForm({ room, onStarted }) {
  const title = field({ name: "title", label: "Title", hint: "A short description, for example ‘Data sharing agreement’." });
  const first = field({ name: "body", label: "First message", control: "textarea", rows: 6,
    hint: "Markdown works, for example **bold** and lists. Type @ followed by a name to mention someone." });
  const errors = errorSummary();
  const submit = h("button", { type: "submit", class: "button" }, "Start thread");
  const form = h("form", { class: "form", novalidate: true }, errors.box, title.wrapper, first.wrapper,
    h("div", { class: "form-actions" }, submit,
      h("a", { href: `/r/${encodeURIComponent(room.slug)}`, class: "link-button" }, "Cancel")));
  // One id per form: pressing the button twice still stores one thread and message.
  const clientId = crypto.randomUUID();

  onValidSubmit(form, errors, submit, {
    check: () => {
      const problems = [];
      if (!title.input.value.trim()) problems.push({ field: "title", message: "Enter a title for the thread" });
      if (!first.input.value.trim()) problems.push({ field: "body", message: "Enter the first message" });
      return problems;
    },
    send: async () => {
      const { thread } = await post(`/rooms/${room.id}/threads`, {
        title: title.input.value.trim(), body: first.input.value, client_id: clientId,
      });
      onStarted(thread);
    },
    fieldNames: ["title", "body"],
  });
  first.input.addEventListener("keydown", (event) => {
    const key = /** @type {KeyboardEvent} */ (event);
    if (key.key === "Enter" && (key.ctrlKey || key.metaKey)) form.requestSubmit();
  });
  return { form };
}
