// The light/dark theme, in the browser: loaded in <head> so the first paint already has the right palette. The theme's
// stylesheet (/theme.css) puts the dark palette on <html class="portal-dark">; the app bar's toggle is plain markup
// (data-theme-toggle) that this switches, so no circuit keeps theme state. The choice made with the toggle is stored and
// wins; without one the browser's preference does, also when it changes while a page is open.
(function () {
  const root = document.documentElement;
  const query = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
  const stored = function () {
    try { return localStorage.getItem("portal-theme"); } catch { return null; }
  };
  const isDark = function () { return root.classList.contains("portal-dark"); };
  const preferred = function () {
    const choice = stored();
    return choice === null ? !!(query && query.matches) : choice === "dark";
  };
  // The toggle's names say what a press does.
  const sync = function () {
    const dark = isDark();
    for (const button of document.querySelectorAll("[data-theme-toggle]")) {
      button.setAttribute("aria-label", dark ? "Light theme" : "Dark theme");
      button.setAttribute("title", dark ? "Switch to the light theme" : "Switch to the dark theme");
    }
  };
  const apply = function (dark) {
    root.classList.toggle("portal-dark", dark);
    sync();
  };

  apply(preferred());
  if (query) {
    query.addEventListener("change", function (e) { if (stored() === null) { apply(e.matches); } });
  }
  document.addEventListener("click", function (e) {
    const button = e.target instanceof Element ? e.target.closest("[data-theme-toggle]") : null;
    if (!button) { return; }
    const dark = !isDark();
    try { localStorage.setItem("portal-theme", dark ? "dark" : "light"); } catch { /* private mode: the choice lasts this page only */ }
    apply(dark);
  });
  document.addEventListener("DOMContentLoaded", sync);

  window.portal = window.portal || {};
  // sync: after a layout (re)draws its toggle; reapply: after an enhanced navigation replaced <html>'s attributes.
  window.portal.theme = { isDark: isDark, sync: sync, reapply: function () { apply(preferred()); } };
})();
