// @ts-check
// Asking before a destructive action ("Sign out everywhere", "Leave room", deleting
// an account): a modal <dialog> with a heading, what will happen, and two buttons.
// showModal() makes the rest of the page inert and traps focus in the dialog; the
// safe choice takes focus first, Escape cancels, and focus returns to the control
// that opened it, so keyboard and screen reader users stay where they were.
import { h, uniqueId } from "./dom.js";

/**
 * Ask, and resolve true when the person confirms. `extra` (a form field, say) goes
 * between the text and the buttons; `confirmWhen` may refuse the confirmation (for
 * example an empty password) by returning a message, which is shown in the dialog.
 * @param {{title: string, text: string, confirmLabel: string, cancelLabel?: string, extra?: HTMLElement | null,
 *   confirmWhen?: () => string | null}} options
 * @returns {Promise<boolean>}
 */
export function confirmAction({ title, text, confirmLabel, cancelLabel = "Cancel", extra = null, confirmWhen = () => null }) {
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const titleId = uniqueId("dialog-title");
  const textId = uniqueId("dialog-text");
  const problem = h("p", { class: "error-message", role: "alert", hidden: true });
  const confirm = h("button", { type: "button", class: "button button-warning" }, confirmLabel);
  const cancel = h("button", { type: "button", class: "button button-secondary" }, cancelLabel);
  const dialog = h("dialog", { class: "confirm-dialog", "aria-labelledby": titleId, "aria-describedby": textId },
    h("h2", { id: titleId, class: "confirm-dialog-title" }, title),
    h("p", { id: textId }, text),
    extra, problem,
    h("div", { class: "form-actions" }, confirm, cancel));
  document.body.append(dialog);

  return new Promise((resolve) => {
    let answer = false;
    confirm.addEventListener("click", () => {
      const refusal = confirmWhen();
      if (refusal) {
        problem.textContent = refusal;
        problem.hidden = false;
        return;
      }
      answer = true;
      dialog.close();
    });
    cancel.addEventListener("click", () => dialog.close());
    dialog.addEventListener("close", () => {
      dialog.remove();
      if (opener && opener.isConnected) opener.focus();
      resolve(answer);
    });
    dialog.showModal(); // Escape closes it (a "cancel" then "close" event): answer stays false
    cancel.focus();
  });
}
