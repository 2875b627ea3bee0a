// @ts-check
// First run, sign up, sign in (password or emailed link), confirming an address.
//
// Pages reached from an email (/confirm, /signin/link) never act on load: mail
// scanners fetch links before people click them, and a single-use token spent by
// a scanner would leave the person locked out. They ask for a button press and
// then POST the token from here.
import { h, replaceContent } from "../dom.js";
import { post, get, ApiError } from "../api.js";
import { field, errorSummary, whileBusy, onValidSubmit, checkRules } from "../forms.js";
import { session, setUser, safeNext } from "../session.js";
import { navigate } from "../router.js";
import { announceStatus } from "../announcer.js";

/** @typedef {import("../protocol.js").User} User */
/** @typedef {{wrapper: HTMLElement, input: import("../forms.js").Control}} Field */
/** @typedef {(main: HTMLElement, route: {query: URLSearchParams}) => {title: string, heading: HTMLElement}} View */

const PASSWORD_HINT = "At least 10 characters. A few unrelated words make a strong, memorable password.";

/** @returns {Record<string, Field>} */
function accountFields() {
  return {
    display_name: field({ name: "display_name", label: "Your name", autocomplete: "name",
      hint: "Shown next to your messages." }),
    organisation: field({ name: "organisation", label: "Organisation", autocomplete: "organization",
      hint: "For example, Camden Council or Department for Transport. Shown as verified when your email address belongs to it." }),
    email: field({ name: "email", label: "Email address", type: "email", autocomplete: "email", spellcheck: "false" }),
    password: field({ name: "password", label: "Create a password", type: "password", autocomplete: "new-password",
      hint: PASSWORD_HINT }),
  };
}

/** @param {Record<string, Field>} fields */
function valuesOf(fields) {
  /** @type {Record<string, string | undefined>} */
  const values = {};
  for (const [name, f] of Object.entries(fields)) values[name] = f.input.value.trim();
  values.password = fields.password ? fields.password.input.value : undefined;
  return values;
}

/**
 * Every problem we can spot without asking the server, at once, with its limits.
 * @param {Record<string, Field>} fields
 */
function accountProblems(fields) {
  const limits = session.limits;
  return checkRules([
    { field: "display_name", label: "Your name", input: fields.display_name.input, required: "Enter your name", max: limits.display_name_chars },
    { field: "organisation", label: "Organisation", input: fields.organisation.input, required: "Enter your organisation",
      max: limits.organisation_chars },
    { field: "email", label: "Email address", input: fields.email.input, required: "Enter your email address", email: true },
    { field: "password", label: "Your password", input: fields.password.input, required: "Create a password", raw: true,
      min: limits.password_min_chars, max: limits.password_max_chars },
  ]);
}

/** @param {{submitLabel: string, onDone: (user: User) => void}} options */
function accountForm({ submitLabel, onDone }) {
  const fields = accountFields();
  const summary = errorSummary();
  const button = h("button", { type: "submit", class: "button" }, submitLabel);
  const form = h("form", { class: "form", novalidate: true }, summary.box,
    Object.values(fields).map((f) => f.wrapper), button);
  onValidSubmit(form, summary, button, {
    check: () => accountProblems(fields),
    send: async () => onDone((await post("/auth/signup", valuesOf(fields))).user),
    fieldNames: Object.keys(fields),
  });
  return form;
}

// Redirects (already set up, already signed in) happen in main.js before a view
// is mounted, so these views can assume they are wanted.

/** @param {HTMLElement} main */
export function setupView(main) {
  const heading = h("h1", { tabindex: "-1" }, "Set up Convene");
  replaceContent(main,
    h("div", { class: "narrow" },
      heading,
      h("p", { class: "lead" }, "Nobody has an account yet. The account you create now is the administrator of this Convene service."),
      h("p", {}, "As administrator you can add organisations, give people roles and look after rooms. You can make other people administrators later."),
      accountForm({
        submitLabel: "Create administrator account",
        onDone: (user) => {
          session.needsSetup = false;
          setUser(user);
          announceStatus("Administrator account created. You are signed in.");
          navigate("/");
        },
      })));
  return { title: "Set up Convene", heading };
}

/** @param {HTMLElement} main */
export function signUpView(main) {
  const heading = h("h1", { tabindex: "-1" }, "Create an account");
  const container = h("div", { class: "narrow" });
  const form = accountForm({
    submitLabel: "Create account",
    onDone: (user) => {
      setUser(user);
      if (user.email_confirmed) {
        navigate("/");
        return;
      }
      showCheckEmail(container, user);
    },
  });
  replaceContent(main, appendTo(container,
    heading,
    h("p", { class: "lead" }, "Convene is where councils, government teams and suppliers keep talking between workshops."),
    form,
    h("p", {}, "Already have an account? ", h("a", { href: "/signin" }, "Sign in"), ".")));
  return { title: "Create an account", heading };
}

/** @param {HTMLElement} el @param {...(Node | string)} children */
function appendTo(el, ...children) {
  el.append(...children);
  return el;
}

/** The "we have emailed you" panel; also used for signed-in, unconfirmed people. */
/** @param {User | null} user */
export function checkEmailPanel(user) {
  const status = h("p", { class: "inline-status", role: "status" });
  const resend = h("button", { type: "button", class: "button button-secondary" }, "Send the email again");
  resend.addEventListener("click", () => whileBusy(resend, async () => {
    try {
      await post("/auth/resend-confirmation");
      status.textContent = "We have sent the email again. Use the newest link.";
    } catch (error) {
      status.textContent = error instanceof Error ? error.message : String(error);
    }
  }));
  return h("div", { class: "panel" },
    h("h2", {}, "Check your email"),
    h("p", {}, "We have sent a link to ", h("strong", {}, (user && user.email) || "your email address"),
      ". Open it to confirm your address; then you can join rooms and post."),
    h("p", {}, "The email can take a few minutes to arrive. Check your junk folder if you cannot find it."),
    resend, status);
}

/** @param {HTMLElement} container @param {User} user */
function showCheckEmail(container, user) {
  const heading = h("h1", { tabindex: "-1" }, "Confirm your email address");
  replaceContent(container, heading, checkEmailPanel(user));
  document.title = "Confirm your email address – Convene";
  heading.focus();
}

/** @type {View} */
export function signInView(main, { query }) {
  const next = safeNext(query.get("next"));
  const heading = h("h1", { tabindex: "-1" }, "Sign in");

  // Password sign-in.
  const email = field({ name: "email", label: "Email address", type: "email", autocomplete: "username", spellcheck: "false" });
  const password = field({ name: "password", label: "Password", type: "password", autocomplete: "current-password" });
  const summary = errorSummary();
  const button = h("button", { type: "submit", class: "button" }, "Sign in");
  const form = h("form", { class: "form", novalidate: true, "aria-labelledby": "signin-password-title" },
    h("h2", { id: "signin-password-title", class: "visually-hidden" }, "Sign in with your password"),
    summary.box, email.wrapper, password.wrapper, button);
  onValidSubmit(form, summary, button, {
    check: () => {
      const errors = [];
      if (!email.input.value.trim()) errors.push({ field: "email", message: "Enter your email address" });
      if (!password.input.value) errors.push({ field: "password", message: "Enter your password" });
      return errors;
    },
    send: async () => {
      const { user } = await post("/auth/signin", { email: email.input.value.trim(), password: password.input.value });
      setUser(user);
      announceStatus(`Signed in as ${user.display_name}.`);
      navigate(next, { replace: true });
    },
    onError: (error) => {
      const message = error.status === 401 || error.code === "unauthenticated"
        ? "The email address or password is not right"
        : error.message;
      return [{ field: error.field === "password" ? "password" : "email", message }];
    },
  });

  // Emailed sign-in link.
  const linkEmail = field({ name: "email", label: "Email address", type: "email", autocomplete: "email", spellcheck: "false" });
  const linkSummary = errorSummary();
  const linkButton = h("button", { type: "submit", class: "button button-secondary" }, "Email me a sign-in link");
  const linkStatus = h("div", { role: "status", class: "inline-status" });
  const linkForm = h("form", { class: "form", novalidate: true, "aria-labelledby": "signin-link-title" },
    h("h2", { id: "signin-link-title" }, "Or sign in with an emailed link"),
    h("p", {}, "We will email you a link that signs you in once. You do not need your password."),
    linkSummary.box, linkEmail.wrapper, linkButton, linkStatus);
  onValidSubmit(linkForm, linkSummary, linkButton, {
    check: () => checkRules([{ field: "email", label: "Email address", input: linkEmail.input, required: "Enter your email address",
      email: true }]),
    send: async () => {
      const address = linkEmail.input.value.trim();
      await post("/auth/link", { email: address });
      replaceContent(linkStatus, h("p", { class: "notice" },
        `If there is an account for ${address}, we have emailed it a sign-in link. The link works once.`));
    },
    fieldNames: ["email"],
  });

  replaceContent(main, h("div", { class: "narrow" },
    heading, form, linkForm,
    h("p", {}, "New to Convene? ", h("a", { href: "/signup" }, "Create an account"), ".")));
  return { title: "Sign in", heading };
}

/**
 * A page reached from an emailed link that acts only when the button is pressed.
 * @param {HTMLElement} main
 * @param {{title: string, intro: string, buttonLabel: string, token: string | null,
 *   action: (token: string) => Promise<{user: User}>, onSuccess: (data: {user: User}, result: HTMLElement) => void}} options
 */
function tokenPage(main, { title, intro, buttonLabel, token, action, onSuccess }) {
  const heading = h("h1", { tabindex: "-1" }, title);
  const result = h("div", { class: "token-result" });
  const container = h("div", { class: "narrow" }, heading);
  if (!token) {
    container.append(h("p", {}, "This link is incomplete. Copy the whole link from the email into the address bar, or ask for a new email."));
    replaceContent(main, container);
    return { title, heading };
  }
  const button = h("button", { type: "button", class: "button" }, buttonLabel);
  button.addEventListener("click", () => whileBusy(button, async () => {
    try {
      const data = await action(token);
      button.hidden = true;
      onSuccess(data, result);
    } catch (error) {
      const expired = error instanceof ApiError && [400, 404, 409, 410].includes(error.status);
      replaceContent(result, h("div", { class: "error-summary", role: "alert" },
        h("h2", { class: "error-summary-title" }, "There is a problem"),
        h("p", {}, expired
          ? "This link has expired or has already been used. Ask for a new one."
          : error instanceof Error ? error.message : String(error))));
    }
  }));
  container.append(h("p", {}, intro), button, result);
  replaceContent(main, container);
  return { title, heading };
}

/** @type {View} */
export function confirmView(main, { query }) {
  return tokenPage(main, {
    title: "Confirm your email address",
    intro: "Press the button to confirm that this is your email address.",
    buttonLabel: "Confirm my address",
    token: query.get("token"),
    action: (token) => post("/auth/confirm", { token }),
    onSuccess: ({ user }, result) => {
      // The confirmed person may be signed in here already, or in another browser.
      if (session.user && user && session.user.id === user.id) setUser(user);
      replaceContent(result,
        h("div", { class: "panel panel-success", role: "status" },
          h("h2", {}, "Your address is confirmed"),
          h("p", {}, session.user
            ? h("a", { href: "/rooms" }, "Go to the rooms")
            : h("a", { href: "/signin" }, "Sign in to Convene"))));
      result.querySelector("a")?.focus();
    },
  });
}

/** @type {View} */
export function linkSignInView(main, { query }) {
  return tokenPage(main, {
    title: "Sign in to Convene",
    intro: "Press the button to finish signing in on this device.",
    buttonLabel: "Sign me in",
    token: query.get("token"),
    action: (token) => post("/auth/link/redeem", { token }),
    onSuccess: ({ user }) => {
      setUser(user);
      announceStatus(`Signed in as ${user.display_name}.`);
      navigate("/", { replace: true });
    },
  });
}

/** Shown on member pages to someone who has not confirmed their address yet. @param {HTMLElement} main */
export function unconfirmedView(main) {
  const heading = h("h1", { tabindex: "-1" }, "Confirm your email address");
  replaceContent(main, h("div", { class: "narrow" }, heading, checkEmailPanel(session.user)));
  return { title: "Confirm your email address", heading };
}

/** @param {{everywhere?: boolean}} [options] */
export async function signOut({ everywhere = false } = {}) {
  // The server tells this tab's own connection too (session.revoked): expected here.
  session.leaving = true;
  try {
    await post(everywhere ? "/auth/signout-everywhere" : "/auth/signout");
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) {
      session.leaving = false;
      announceStatus(`Could not sign out: ${error instanceof Error ? error.message : error}`);
      return false;
    }
  }
  setUser(null);
  session.leaving = false;
  announceStatus(everywhere ? "Signed out on every device." : "Signed out.");
  navigate("/signin");
  return true;
}

/** Ask the server who we are (used at start-up). */
export async function loadSession() {
  // One request that answers 200 whether or not anyone is signed in, so a
  // signed-out visit leaves the console clean (GET /me would log a 401).
  try {
    const state = await get("/session");
    session.needsSetup = Boolean(state.needs_setup);
    session.user = state.user;
    session.limits = state.limits;
  } catch {
    session.needsSetup = false;
    session.user = null;
  }
}
