// @ts-check
// Scrolling a thread's messages. On wide, tall screens the message list scrolls
// inside its own box; on narrow screens and at high zoom the whole page scrolls
// instead (style.css decides); these helpers work on whichever scrolls. The
// arithmetic is in thread-position.js.
import { anchoredScrollTop, pickAnchor } from "../thread-position.js";

/**
 * @param {object} options
 * @param {HTMLElement} options.scroller  the message box
 * @param {HTMLElement} options.list  the drawn messages (and the "New" divider)
 * @param {() => void} options.onScroll  runs at most once a frame while either scrolls
 */
export function createThreadScroll({ scroller, list, onScroll }) {
  /** The element that scrolls the messages now. */
  function box() {
    const style = getComputedStyle(scroller);
    return style.overflowY === "auto" || style.overflowY === "scroll" ? scroller : /** @type {Element} */ (document.scrollingElement);
  }

  /** The top of the visible area, in viewport coordinates. @param {Element} scrolling */
  function visibleTop(scrolling) {
    return scrolling === scroller ? scroller.getBoundingClientRect().top : 0;
  }

  let queued = false;
  function queue() {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      onScroll();
    });
  }
  scroller.addEventListener("scroll", queue, { passive: true });
  window.addEventListener("scroll", queue, { passive: true });

  return {
    box,

    nearBottom() {
      const scrolling = box();
      return scrolling.scrollHeight - scrolling.scrollTop - scrolling.clientHeight < 120;
    },

    toBottom() {
      const scrolling = box();
      scrolling.scrollTop = scrolling.scrollHeight;
    },

    /** Put `element` at the top of the visible area, `gap` px below its edge. @param {Element} element @param {number} gap */
    toTop(element, gap) {
      const scrolling = box();
      scrolling.scrollTop += element.getBoundingClientRect().top - visibleTop(scrolling) - gap;
    },

    /**
     * Run `draw` (which adds messages above what is on screen) without moving what
     * the reader is looking at: the first visible message keeps its place.
     * @param {() => void} draw
     */
    keepInPlace(draw) {
      const scrolling = box();
      const items = [...list.children].map((el) => {
        const { top, bottom } = el.getBoundingClientRect();
        return { el, top, bottom };
      });
      const anchor = pickAnchor(items, visibleTop(scrolling));
      const before = scrolling.scrollTop;
      draw();
      if (anchor) scrolling.scrollTop = anchoredScrollTop(before, anchor.top, anchor.el.getBoundingClientRect().top);
    },

    destroy() {
      scroller.removeEventListener("scroll", queue);
      window.removeEventListener("scroll", queue);
    },
  };
}
