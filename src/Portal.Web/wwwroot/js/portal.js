// Small helpers the layout calls. The reconnect modal has its own module (Components/Layout/ReconnectModal.razor.js).
window.portal = window.portal || {};
// The theme lives in js/theme.js (loaded in <head>); an enhanced navigation may reset <html>'s class, so it is set again.
if (window.Blazor && typeof window.Blazor.addEventListener === "function") {
  window.Blazor.addEventListener("enhancedload", function () { window.portal.theme.reapply(); });
}
// Copy buttons: the text of an element, or a value given directly.
window.portal.copy = async function (text) {
  try { await navigator.clipboard.writeText(text); return true; } catch { return false; }
};
