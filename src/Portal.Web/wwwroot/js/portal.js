// When the server has restarted, the old circuit is gone ("rejected"): a reload gets a fresh one,
// and the sign-in cookie survives because the Data Protection keys live in the database.
(function () {
  function watch() {
    const banner = document.getElementById("components-reconnect-modal");
    if (!banner) return;
    new MutationObserver(function () {
      if (banner.classList.contains("components-reconnect-rejected")) {
        location.reload();
      }
    }).observe(banner, { attributes: true, attributeFilter: ["class"] });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", watch);
  else watch();
})();
