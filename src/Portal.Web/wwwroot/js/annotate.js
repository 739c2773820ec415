// Keyboard shortcuts of the annotator's task page. The page attaches with a DotNetObjectReference and gets back a
// handle: keys typed outside text boxes go to OnKey, a row focused by Tab or the mouse to OnRowFocused, and the
// page leaving (reload, close, another site) to FlushDraft.
window.portalAnnotate = (function () {
  const shortcutKeys = new Set([
    "Enter", "Escape", "Backspace", "ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight", "a", "b", "t", "x", "s", "f", "?",
  ]);

  function isTextEntry(el) {
    if (!el || !el.tagName) return false;
    if (el.isContentEditable) return true;
    if (el.tagName === "TEXTAREA" || el.tagName === "SELECT") return true;
    if (el.tagName !== "INPUT") return false;
    const type = (el.getAttribute("type") || "text").toLowerCase();
    return !["button", "checkbox", "radio", "submit", "reset", "range", "color", "file", "image"].includes(type);
  }

  // A digit by its character, or by its key on layouts (AZERTY) where the character needs Shift.
  function keyOf(e) {
    if (/^[0-9]$/.test(e.key)) return e.key;
    const code = /^(?:Digit|Numpad)([0-9])$/.exec(e.code || "");
    if (code && !e.shiftKey) return code[1];
    const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    return shortcutKeys.has(key) ? key : null;
  }

  function attach(dotNet) {
    let programmaticFocus = false;
    const call = (method, ...args) => dotNet.invokeMethodAsync(method, ...args).catch(() => { /* circuit gone */ });

    function onKeyDown(e) {
      if (e.defaultPrevented || e.isComposing) return;
      const target = e.target;
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        if (!e.repeat) call("OnKey", "Enter");
        return;
      }

      if (isTextEntry(target)) {
        if (e.key === "Escape") {
          target.blur();
          call("OnKey", "Escape");
        }
        return;
      }

      if (e.ctrlKey || e.altKey || e.metaKey) return;
      // The app bar, the menu and popovers keep their own keys (Enter follows a link there).
      if (target && target.closest && target.closest(".mud-appbar, .mud-drawer, .mud-popover, [data-shortcuts=off]")) return;
      const key = keyOf(e);
      if (key === null) return;
      e.preventDefault();
      if (e.repeat && key === "Enter") return;
      call("OnKey", key);
    }

    function onFocusIn(e) {
      if (programmaticFocus) return;
      const row = e.target && e.target.closest ? e.target.closest("[data-row]") : null;
      if (row) call("OnRowFocused", row.getAttribute("data-row"));
    }

    function onPageHide() {
      call("FlushDraft");
    }

    function onVisibility() {
      if (document.visibilityState === "hidden") call("FlushDraft");
    }

    document.addEventListener("keydown", onKeyDown);
    document.addEventListener("focusin", onFocusIn);
    window.addEventListener("pagehide", onPageHide);
    document.addEventListener("visibilitychange", onVisibility);

    return {
      focus(selector) {
        const el = document.querySelector(selector);
        if (!el || el === document.activeElement) return;
        programmaticFocus = true;
        try {
          el.focus({ preventScroll: false });
          if (el.scrollIntoView) el.scrollIntoView({ block: "nearest" });
        } finally {
          programmaticFocus = false;
        }
      },
      dispose() {
        document.removeEventListener("keydown", onKeyDown);
        document.removeEventListener("focusin", onFocusIn);
        window.removeEventListener("pagehide", onPageHide);
        document.removeEventListener("visibilitychange", onVisibility);
      },
    };
  }

  return { attach };
})();
