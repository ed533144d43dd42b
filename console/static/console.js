// shop-events console: refreshes [data-live] regions in place and adds keyboard shortcuts.
// Every page reads fine without this file; it only saves reloads.
(function () {
  "use strict";

  const body = document.body;
  const interval = Number(body.dataset.refreshMs || 0);
  const doneLeft = {}; // region id -> refreshes still to do after it said it is done
  let timer = null;

  function setState(text) {
    const el = document.getElementById("live-state");
    if (el) el.textContent = text;
  }

  function liveRegions() {
    return Array.from(document.querySelectorAll("[data-live][id]")).filter(
      (el) => !(el.id in doneLeft && doneLeft[el.id] <= 0)
    );
  }

  function keepUserState(oldEl, newEl) {
    // open <details> and ticked boxes survive a refresh
    oldEl.querySelectorAll("details[open][id]").forEach((d) => {
      const fresh = newEl.querySelector("#" + CSS.escape(d.id));
      if (fresh) fresh.open = true;
    });
    oldEl.querySelectorAll("input[type=checkbox][name][value]:checked").forEach((box) => {
      const selector = `input[type=checkbox][name="${CSS.escape(box.name)}"][value="${CSS.escape(box.value)}"]`;
      const fresh = newEl.querySelector(selector);
      if (fresh && !fresh.disabled) fresh.checked = true;
    });
  }

  async function refresh() {
    timer = null;
    const regions = liveRegions();
    if (!regions.length) {
      setState("live updates stopped: nothing more to wait for");
      return;
    }
    if (document.hidden) return schedule();
    try {
      const response = await fetch(location.href, {
        headers: { "X-Console-Refresh": "1" },
        credentials: "same-origin",
      });
      if (!response.ok) throw new Error("HTTP " + response.status);
      const doc = new DOMParser().parseFromString(await response.text(), "text/html");
      for (const el of regions) {
        const fresh = doc.getElementById(el.id);
        if (!fresh) continue;
        keepUserState(el, fresh);
        el.replaceWith(document.importNode(fresh, true));
        if (fresh.dataset.liveDone === "true") {
          doneLeft[el.id] = el.id in doneLeft ? doneLeft[el.id] - 1 : 3;
        }
      }
      setState("live: updated " + new Date().toLocaleTimeString());
    } catch (err) {
      setState("live: refresh failed (" + err.message + "), retrying");
    }
    schedule();
  }

  function schedule() {
    if (interval > 0 && timer === null) timer = setTimeout(refresh, interval);
  }

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    const nav = document.querySelector(`header nav a[data-key="${event.key}"]`);
    if (nav) {
      location.href = nav.getAttribute("href");
    } else if (event.key === "/") {
      const filter = document.querySelector("[data-filter]");
      if (filter) {
        event.preventDefault();
        filter.focus();
      }
    } else if (event.key === "r" && interval > 0) {
      if (timer !== null) clearTimeout(timer);
      refresh();
    }
  });

  // "select all" boxes: <input type=checkbox data-select-all="name">
  document.addEventListener("change", (event) => {
    const name = event.target.dataset && event.target.dataset.selectAll;
    if (!name) return;
    document.querySelectorAll(`input[type=checkbox][name="${CSS.escape(name)}"]`).forEach((box) => {
      if (!box.disabled) box.checked = event.target.checked;
    });
  });

  if (interval > 0) {
    setState("live: every " + interval / 1000 + " s (r refreshes now)");
    schedule();
  }
})();
