/* The page's chrome: the notice line, the form's error line, the network badge and the tabs. */

import { gettext } from "./i18n.js";

let noticeTimer = null;

export function notice(text) {
  const el = document.querySelector("[data-testid=notice]");
  el.textContent = text;
  el.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => {
    el.hidden = true;
  }, 6000);
}

export function formError(text) {
  const el = document.getElementById("form-error");
  el.textContent = text || "";
  el.hidden = !text;
}

export function showNetwork() {
  const el = document.querySelector("[data-testid=network]");
  el.dataset.online = navigator.onLine ? "1" : "0";
  el.textContent = navigator.onLine ? gettext("online") : gettext("offline");
}

// The panel named by the address's #hash; the record form when there is none.
export function showTab() {
  let name = (location.hash || "#record").slice(1);
  if (!document.querySelector("[data-panel=" + name + "]")) {
    name = "record";
  }
  document.querySelectorAll("[data-panel]").forEach((panel) => {
    panel.hidden = panel.dataset.panel !== name;
  });
  document.querySelectorAll("[data-tab]").forEach((tab) => {
    if (tab.dataset.tab === name) {
      tab.setAttribute("aria-current", "page");
    } else {
      tab.removeAttribute("aria-current");
    }
  });
}
