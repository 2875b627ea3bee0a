// @ts-check
// Where a pop-up list (the @mention suggestions) opens so that it is inside the
// viewport: below its field when it fits there, otherwise on the side with more
// room (above a reply box fixed at the bottom of the screen), never taller than
// that room. Plain arithmetic: web/test/placement.test.js.

/** The gap kept between the list and the edge of the viewport, in CSS px. */
export const EDGE = 8;

/**
 * @param {object} space  CSS px
 * @param {number} space.above  between the viewport's top and the field's top
 * @param {number} space.below  between the field's bottom and the viewport's bottom
 * @param {number} space.wanted  the list's natural height
 * @returns {{side: "above" | "below", maxHeight: number}}
 */
export function placePopup({ above, below, wanted }) {
  const roomBelow = Math.max(0, below - EDGE);
  const roomAbove = Math.max(0, above - EDGE);
  const side = roomBelow >= wanted || roomBelow >= roomAbove ? "below" : "above";
  return { side, maxHeight: Math.floor(Math.min(wanted, side === "below" ? roomBelow : roomAbove)) };
}
