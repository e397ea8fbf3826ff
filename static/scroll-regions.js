/* naranu: tables wider than their card scroll sideways inside .table-wrap.
 *
 * A region that scrolls must be reachable by keyboard and named for screen readers (WCAG 2.1.1;
 * axe "scrollable-region-focusable"), and a phone shows no scrollbar until it is touched, so a
 * wrapper that really scrolls gets tabindex, role=region, a name (its table's caption or the
 * heading above it) and a visible hint.  One that fits gets none of them: no empty tab stops.
 */
(function () {
  "use strict";

  function heading(wrap) {
    var caption = wrap.querySelector("caption");
    if (caption) { return caption.textContent.trim(); }
    for (var node = wrap; node && node.tagName !== "MAIN"; node = node.parentElement) {
      for (var prev = node.previousElementSibling; prev; prev = prev.previousElementSibling) {
        if (/^H[1-6]$/.test(prev.tagName)) { return prev.textContent.trim(); }
      }
    }
    return document.title;
  }

  function hint(wrap) {
    var next = wrap.nextElementSibling;
    if (next && next.classList.contains("scroll-hint")) { return next; }
    var text = document.body.getAttribute("data-scroll-hint");
    var p = document.createElement("p");
    p.className = "scroll-hint";
    p.setAttribute("aria-hidden", "true");
    p.textContent = text || "";
    wrap.insertAdjacentElement("afterend", p);
    return p;
  }

  function mark(wrap) {
    var scrolls = wrap.clientWidth > 0 && wrap.scrollWidth > wrap.clientWidth + 1;
    wrap.classList.toggle("scrolls", scrolls);
    if (scrolls) {
      wrap.tabIndex = 0;
      wrap.setAttribute("role", "region");
      wrap.setAttribute("aria-label", heading(wrap));
      hint(wrap).hidden = false;
    } else {
      wrap.removeAttribute("tabindex");
      wrap.removeAttribute("role");
      wrap.removeAttribute("aria-label");
      var next = wrap.nextElementSibling;
      if (next && next.classList.contains("scroll-hint")) { next.hidden = true; }
    }
  }

  function markAll() { document.querySelectorAll(".table-wrap").forEach(mark); }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", markAll);
  } else {
    markAll();
  }
  window.addEventListener("resize", markAll);
  document.addEventListener("toggle", markAll, true);  /* a <details> data table opened */
})();
