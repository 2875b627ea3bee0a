// @ts-check
// Client-side routing with the History API. The server answers every page URL
// with index.html, so each route here is also a deep link that survives reload.

/** @typedef {{initial: boolean, focus: boolean, push: boolean}} Navigation */
/** @typedef {{name: string, keys: string[], regex: RegExp}} Route */

/** @type {Route[]} */
const routes = [];
let notFound = "not-found";
/** @type {((navigation: Navigation) => unknown) | null} */
let handler = null;

/** Register a route: pattern like "/r/:slug/t/:threadId". @param {string} pattern @param {string} name */
export function route(pattern, name) {
  /** @type {string[]} */
  const keys = [];
  const source = pattern
    .split("/")
    .map((part) => {
      if (part.startsWith(":")) {
        keys.push(part.slice(1));
        return "([^/]+)";
      }
      return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    })
    .join("/");
  routes.push({ name, keys, regex: new RegExp(`^${source}/?$`) });
}

/** @param {string} name */
export function fallback(name) {
  notFound = name;
}

/** @param {string} pathname @returns {{name: string, params: Record<string, string>}} */
export function match(pathname) {
  for (const r of routes) {
    const m = r.regex.exec(pathname);
    if (m) {
      /** @type {Record<string, string>} */
      const params = {};
      r.keys.forEach((key, i) => { params[key] = decodeURIComponent(m[i + 1]); });
      return { name: r.name, params };
    }
  }
  return { name: notFound, params: {} };
}

export function currentLocation() {
  return { path: location.pathname, query: new URLSearchParams(location.search) };
}

/**
 * Go to a URL inside the app. `replace` rewrites the current history entry.
 * @param {string} url
 * @param {{replace?: boolean, focus?: boolean}} [options]
 */
export function navigate(url, { replace = false, focus = true } = {}) {
  const target = new URL(url, location.href);
  const href = target.pathname + target.search + target.hash;
  if (replace) history.replaceState(null, "", href);
  else history.pushState(null, "", href);
  handler?.({ initial: false, focus, push: !replace });
}

const SERVER_PATHS = /^\/(api|socket\.io|assets|vendor|healthz)(\/|$)/;

/** @param {MouseEvent} event */
function onClick(event) {
  if (event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const link = event.target instanceof Element ? event.target.closest("a[href]") : null;
  if (!(link instanceof HTMLAnchorElement) || link.target || link.hasAttribute("download")) return;
  const url = new URL(link.href, location.href);
  if (url.origin !== location.origin || SERVER_PATHS.test(url.pathname)) return;
  // Same-page fragment links (the skip link) keep their native behaviour.
  if (url.pathname === location.pathname && url.search === location.search && url.hash) return;
  event.preventDefault();
  navigate(url.href);
}

/** Start routing; `onRoute` runs for the first page and every navigation. @param {(navigation: Navigation) => unknown} onRoute */
export function start(onRoute) {
  handler = onRoute;
  history.scrollRestoration = "manual";
  document.addEventListener("click", onClick);
  window.addEventListener("popstate", () => onRoute({ initial: false, focus: true, push: false }));
  onRoute({ initial: true, focus: false, push: false });
}
