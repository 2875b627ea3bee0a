// "Ada is typing…" under a thread. Each notice lasts a few seconds (the server
// passes one on per person every 3 s while they type) or until their message
// arrives. It is deliberately not a live region: announcing every keystroke
// burst would interrupt screen reader users constantly.
import { h } from "../dom.js";

const SHOWN_MS = 6000;

export function createTypingIndicator() {
  const element = h("p", { class: "typing-indicator" });
  const typers = new Map(); // user id -> {name, timer}

  function render() {
    const names = [...typers.values()].map((t) => t.name);
    if (!names.length) element.textContent = "";
    else if (names.length === 1) element.textContent = `${names[0]} is typing…`;
    else if (names.length === 2) element.textContent = `${names[0]} and ${names[1]} are typing…`;
    else element.textContent = "Several people are typing…";
  }

  function stop(userId) {
    const typer = typers.get(userId);
    if (!typer) return;
    window.clearTimeout(typer.timer);
    typers.delete(userId);
    render();
  }

  function show(user) {
    const existing = typers.get(user.id);
    if (existing) window.clearTimeout(existing.timer);
    typers.set(user.id, { name: user.display_name, timer: window.setTimeout(() => stop(user.id), SHOWN_MS) });
    render();
  }

  return {
    element,
    show,
    stop,
    destroy() {
      for (const typer of typers.values()) window.clearTimeout(typer.timer);
      typers.clear();
    },
  };
}
