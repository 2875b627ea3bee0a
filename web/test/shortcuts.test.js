// The shortcut registry: dispatch, never while typing, the help's list.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { createShortcutRegistry, isTypingTarget } from "../app/shortcuts.js";

const body = { tagName: "BODY" };

describe("typing targets", () => {
  test("text fields, text areas, selects and editable content are typing", () => {
    assert.equal(isTypingTarget({ tagName: "TEXTAREA" }), true);
    assert.equal(isTypingTarget({ tagName: "INPUT", type: "text" }), true);
    assert.equal(isTypingTarget({ tagName: "INPUT", type: "search" }), true);
    assert.equal(isTypingTarget({ tagName: "input", type: "" }), true);
    assert.equal(isTypingTarget({ tagName: "SELECT" }), true);
    assert.equal(isTypingTarget({ tagName: "DIV", isContentEditable: true }), true);
  });

  test("buttons, checkboxes, links and the page are not", () => {
    assert.equal(isTypingTarget({ tagName: "INPUT", type: "checkbox" }), false);
    assert.equal(isTypingTarget({ tagName: "BUTTON" }), false);
    assert.equal(isTypingTarget({ tagName: "A" }), false);
    assert.equal(isTypingTarget(body), false);
    assert.equal(isTypingTarget(null), false);
  });
});

describe("dispatch", () => {
  test("runs the shortcut for the key and says so", () => {
    const shortcuts = createShortcutRegistry();
    let ran = 0;
    shortcuts.register({ key: "r", description: "Reply", run: () => { ran += 1; } });
    assert.equal(shortcuts.dispatch({ key: "r", target: body }), true);
    assert.equal(shortcuts.dispatch({ key: "x", target: body }), false);
    assert.equal(ran, 1);
  });

  test("never while typing, with a modifier, while composing or after someone handled the key", () => {
    const shortcuts = createShortcutRegistry();
    let ran = 0;
    shortcuts.register({ key: "r", description: "Reply", run: () => { ran += 1; } });
    assert.equal(shortcuts.dispatch({ key: "r", target: { tagName: "TEXTAREA" } }), false);
    assert.equal(shortcuts.dispatch({ key: "r", target: { tagName: "INPUT", type: "email" } }), false);
    assert.equal(shortcuts.dispatch({ key: "r", ctrlKey: true, target: body }), false);
    assert.equal(shortcuts.dispatch({ key: "r", metaKey: true, target: body }), false);
    assert.equal(shortcuts.dispatch({ key: "r", altKey: true, target: body }), false);
    assert.equal(shortcuts.dispatch({ key: "r", isComposing: true, target: body }), false);
    assert.equal(shortcuts.dispatch({ key: "r", defaultPrevented: true, target: body }), false);
    assert.equal(ran, 0);
  });

  test("the latest registration of a key wins; one that did nothing lets an earlier one run", () => {
    const shortcuts = createShortcutRegistry();
    const ran = [];
    shortcuts.register({ key: "/", description: "Search the page", run: () => { ran.push("page"); } });
    const stop = shortcuts.register({ key: "/", description: "Search", run: () => { ran.push("search"); } });
    shortcuts.dispatch({ key: "/", target: body });
    stop();
    shortcuts.dispatch({ key: "/", target: body });
    shortcuts.register({ key: "/", description: "Nothing here", run: () => false });
    shortcuts.dispatch({ key: "/", target: body });
    assert.deepEqual(ran, ["search", "page", "page"]);
  });

  test("a shortcut that did nothing leaves the key alone", () => {
    const shortcuts = createShortcutRegistry();
    shortcuts.register({ key: "/", description: "Search", run: () => false });
    assert.equal(shortcuts.dispatch({ key: "/", target: body }), false);
  });
});

describe("the help's list", () => {
  test("one entry per key (the latest), only those available here, unregistered ones gone", () => {
    const shortcuts = createShortcutRegistry();
    let searchBox = false;
    shortcuts.register({ key: "/", description: "Search", run: () => true, available: () => searchBox });
    shortcuts.register({ key: "?", description: "Help", run: () => true });
    shortcuts.register({ key: "r", description: "Old reply", run: () => true });
    const stop = shortcuts.register({ key: "r", description: "Reply", run: () => true });
    assert.deepEqual(shortcuts.list().map((s) => `${s.key} ${s.description}`), ["? Help", "r Reply"]);
    searchBox = true;
    stop();
    assert.deepEqual(shortcuts.list().map((s) => `${s.key} ${s.description}`), ["/ Search", "? Help", "r Old reply"]);
  });
});
