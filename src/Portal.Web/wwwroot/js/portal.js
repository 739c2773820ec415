// Small helpers the layout calls. The reconnect modal has its own module (Components/Layout/ReconnectModal.razor.js).
window.portal = window.portal || {};
window.portal.theme = {
  // The choice made in the app bar ("light" or "dark"), or null to follow the browser's preference.
  get: function () {
    try { return localStorage.getItem("portal-theme"); } catch { return null; }
  },
  set: function (value) {
    try { localStorage.setItem("portal-theme", value); } catch { /* private mode: the choice lasts this page only */ }
  },
};
// Copy buttons: the text of an element, or a value given directly.
window.portal.copy = async function (text) {
  try { await navigator.clipboard.writeText(text); return true; } catch { return false; }
};
