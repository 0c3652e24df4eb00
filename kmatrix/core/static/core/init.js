// Start the NHS.UK components (header menu, error summary focus, tables, tabs ...).
import { initAll } from "../vendor/nhsuk-frontend.min.js";

initAll();

// A table box that scrolls sideways (narrow screens) becomes a named region that the
// keyboard can reach and scroll; one that fits stays out of the tab order.
function markScrollingTables() {
  for (const box of document.querySelectorAll(".km-table-scroll")) {
    const caption = box.querySelector("caption");
    if (box.scrollWidth > box.clientWidth + 1) {
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      const name = caption ? caption.textContent.replace(/\s+/g, " ").trim() : "Table";
      box.setAttribute("aria-label", `${name} (scrolls sideways)`);
    } else {
      box.removeAttribute("tabindex");
      box.removeAttribute("role");
      box.removeAttribute("aria-label");
    }
  }
}

markScrollingTables();
window.addEventListener("resize", markScrollingTables);
document.addEventListener("htmx:afterSettle", markScrollingTables);
