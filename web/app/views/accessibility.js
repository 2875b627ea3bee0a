// @ts-check
// The accessibility statement, in the form GOV.UK publishes for public sector
// services. The same text is kept in docs/accessibility.md; the e2e tests check
// that the two keep the same headings.
import { h, replaceContent } from "../dom.js";

const CONTACT = "accessibility@convene.example";
/** @typedef {{href: string, text: string}} Link */
/** @typedef {string | Link} Inline */
/** @typedef {["ul", string[]] | ["p" | "h2" | "h3", ...Inline[]]} Block */

/** @param {string} href @param {string} text @returns {Link} */
const link = (href, text) => ({ href, text });

/** @type {Block[]} */
const STATEMENT = [
  ["p", "This accessibility statement applies to Convene, the service where councils, government departments and suppliers keep talking in rooms and threads between workshops."],
  ["p", "This service is run by the team that runs this Convene installation. We want as many people as possible to be able to use it. For example, that means you should be able to:"],
  ["ul", [
    "change colours, contrast levels and fonts using browser or device settings",
    "zoom in up to 400% without the text spilling off the screen",
    "use it on a screen as narrow as 320 pixels, such as a small phone",
    "navigate the whole service using just a keyboard",
    "navigate most of the service using speech recognition software",
    "listen to the service using a screen reader, which announces new messages and changes such as ‘message sent’ and ‘reconnecting’",
  ]],
  ["p", "We have also made the text in the service as simple as possible to understand."],
  ["p", link("https://mcmw.abilitynet.org.uk/", "AbilityNet"), " has advice on making your device easier to use if you have a disability."],

  ["h2", "Keyboard shortcuts"],
  ["p", "When you are not typing in a box, these single keys work. Press ? on any page to see the ones that work there."],
  ["ul", [
    "? shows the keyboard shortcuts (Escape closes the list)",
    "r goes to the reply box in a thread",
    "/ goes to the search box, on pages that have one",
    "in the messages of a thread, the up and down arrow keys move between messages, Home and End go to the first and last, Page Up and Page Down move five messages; Tab goes from the message you are on to its links and buttons, then on to the reply box",
  ]],
  ["p", "Shortcuts never use Ctrl, Alt or Command, so they do not clash with your browser. Screen readers in browse mode use single keys themselves: switch to focus mode first, or use the screen reader’s key to pass a key through."],
  ["p", "A thread with messages you have not read opens at the first of them, under a line marked ‘New’, and screen readers are told how many are new."],

  ["h2", "How accessible this service is"],
  ["p", "We know some parts of this service are not fully accessible:"],
  ["ul", [
    "messages and room summaries are written by the people who use Convene, so they may contain unclear link text, headings out of order or writing that is hard to understand",
    "new messages are announced to screen readers in short summaries at most every 2 seconds, so in a busy room you may hear ‘3 new messages’ rather than each message",
    "the ‘is typing’ indicator is not announced to screen readers, to avoid interruptions",
    "the mention suggestions have not yet been tested with every screen reader",
  ]],

  ["h2", "Feedback and contact information"],
  ["p", "If you need information on this service in a different format, such as accessible PDF, large print, easy read, audio recording or braille, email ", link(`mailto:${CONTACT}`, CONTACT), "."],
  ["p", "We will consider your request and get back to you in 5 working days."],

  ["h2", "Reporting accessibility problems with this service"],
  ["p", "We are always looking to improve the accessibility of this service. If you find any problems not listed on this page or think we are not meeting accessibility requirements, email ", link(`mailto:${CONTACT}`, CONTACT), ". Tell us the web address of the page, what you were trying to do and what went wrong."],

  ["h2", "Enforcement procedure"],
  ["p", "The Equality and Human Rights Commission (EHRC) is responsible for enforcing the Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018 (the ‘accessibility regulations’). If you are not happy with how we respond to your complaint, contact the ",
    link("https://www.equalityadvisoryservice.com/", "Equality Advisory and Support Service (EASS)"), "."],
  ["p", "If you are in Northern Ireland and are not happy with how we respond to your complaint, you can contact the ",
    link("https://www.equalityni.org/Home", "Equality Commission for Northern Ireland (ECNI)"),
    ", who are responsible for enforcing the accessibility regulations in Northern Ireland."],

  ["h2", "Technical information about this service’s accessibility"],
  ["p", "The team that runs this Convene installation is committed to making it accessible, in accordance with the Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018."],

  ["h3", "Compliance status"],
  ["p", "This service is partially compliant with the ", link("https://www.w3.org/TR/WCAG22/", "Web Content Accessibility Guidelines version 2.2"), " AA standard, due to the non-compliances listed below."],

  ["h2", "Non-accessible content"],
  ["p", "The content listed below is non-accessible for the following reasons."],
  ["h3", "Non-compliance with the accessibility regulations"],
  ["ul", [
    "Link text in messages is chosen by the person who wrote the message and may not describe where the link goes. This fails WCAG 2.2 success criterion 2.4.4 (Link Purpose (In Context)). We show people a preview of their message before they post it and our guidance asks them to write descriptive links.",
    "Headings written in messages with Markdown may skip levels. This fails WCAG 2.2 success criterion 1.3.1 (Info and Relationships).",
  ]],
  ["h3", "Disproportionate burden"],
  ["p", "We are not claiming disproportionate burden for any part of this service."],
  ["h3", "Content that’s not within the scope of the accessibility regulations"],
  ["p", "We are not aware of any content in this service that is outside the scope of the accessibility regulations."],

  ["h2", "What we’re doing to improve accessibility"],
  ["p", "Every change to Convene runs automated accessibility checks on every screen and a keyboard-only test before it is released. We plan a manual audit with screen reader users, and will update this statement with what it finds."],

  ["h2", "Preparation of this accessibility statement"],
  ["p", "This statement was prepared on 27 November 2026. It was last reviewed on 27 November 2026."],
  ["p", "This service was last tested on 27 November 2026 against the WCAG 2.2 AA standard. The test was carried out by the Convene development team."],
  ["p", "We tested every screen: first-run set-up, create an account, sign in, confirm your email address, the room directory, create a room, a room, a thread with messages and this statement. We used:"],
  ["ul", [
    "axe-core automated checks for WCAG 2.0, 2.1 and 2.2 levels A and AA, run through Playwright in the Chromium browser",
    "a keyboard-only test that signs in, opens a room, opens a thread and posts a message without using a mouse",
    "checks of the layout at 320 pixels wide and at 200% zoom",
    "browser tests that open a 200-message thread at the first unread message at 1280 by 800 pixels, at 320 pixels wide and at 200% zoom, and use the keyboard shortcuts and the shortcuts list",
  ]],
];

/** @param {Inline[]} parts */
function inline(parts) {
  return parts.map((part) => (typeof part === "string" ? part : h("a", { href: part.href }, part.text)));
}

/** @param {HTMLElement} main */
export function accessibilityView(main) {
  const heading = h("h1", { tabindex: "-1" }, "Accessibility statement for Convene");
  const content = STATEMENT.map((block) => {
    if (block[0] === "ul") return h("ul", { class: "list-bullet" }, block[1].map((item) => h("li", {}, item)));
    const [kind, ...rest] = block;
    return h(kind, {}, inline(rest));
  });
  replaceContent(main, h("div", { class: "prose statement" }, heading, content));
  return { title: "Accessibility statement", heading };
}
