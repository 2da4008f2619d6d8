/* Zoufang: small enhancements of the server-rendered pages; every page works without this file.
   Loaded as a static file with `defer` (the Content-Security-Policy allows no inline code and no eval). */
(function () {
  "use strict";

  var MINUTE = 60 * 1000;
  var HOUR = 60 * MINUTE;
  var DAY = 24 * HOUR;

  // Countdowns such as 剩余 3 小时 / 超期 2 天: the server renders them from the stored deadline; this keeps
  // them current while the page stays open, with the translated texts the page carries in #countdown-formats.
  function refreshCountdowns() {
    var formats = document.getElementById("countdown-formats");
    if (!formats) {
      return;
    }
    var now = Date.now();
    document.querySelectorAll(".countdown[data-due]").forEach(function (element) {
      var due = Date.parse(element.getAttribute("data-due"));
      if (isNaN(due)) {
        return;
      }
      var left = due - now;
      var span = Math.abs(left);
      var unit;
      var count;
      if (span < HOUR) {
        unit = "minutes";
        count = Math.max(1, Math.floor(span / MINUTE));
      } else if (span < 48 * HOUR) {
        unit = "hours";
        count = Math.floor(span / HOUR);
      } else {
        unit = "days";
        count = Math.floor(span / DAY);
      }
      var format = formats.dataset[(left < 0 ? "overdue" : "left") + unit];
      if (!format) {
        return;
      }
      element.textContent = format.replace("%(count)s", String(count));
      element.classList.remove("ok", "soon", "overdue");
      element.classList.add(left < 0 ? "overdue" : left < DAY ? "soon" : "ok");
    });
  }

  // Ask before irreversible steps (<form data-confirm="…">), and send each form once: a double click on
  // "register" must not register the appeal twice.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) {
      return;
    }
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      return;
    }
    if (form.method.toLowerCase() === "post") {
      if (form.dataset.sent === "1") {
        event.preventDefault();
        return;
      }
      form.dataset.sent = "1";
    }
  });

  // A page restored by the back button may be sent again.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      document.querySelectorAll("form[data-sent]").forEach(function (form) {
        delete form.dataset.sent;
      });
    }
  });

  // The registration form: an anonymous appeal has no reporter fields; only a dispute has a risk colour.
  function syncRegisterForm() {
    var anonymous = document.getElementById("id_anonymous");
    var reporter = document.querySelector("[data-reporter-fields]");
    if (anonymous && reporter) {
      reporter.hidden = anonymous.checked;
      reporter.querySelectorAll("input").forEach(function (input) {
        input.disabled = anonymous.checked;
      });
    }
    var kind = document.getElementById("id_kind");
    var risk = document.querySelector("[data-field=risk_colour]");
    if (kind && risk) {
      var dispute = kind.value === "dispute";
      risk.hidden = !dispute;
      if (!dispute) {
        risk.querySelector("select").value = "";
      }
    }
  }

  // The registration form asks the text models for a category and a lead unit once the title (and the
  // description) is typed; a suggested category is one click away, the desk decides.
  function renderSuggestions(box, data) {
    box.textContent = "";
    box.hidden = false;
    var groups = [
      ["categories", box.dataset.titleCategories, "code"],
      ["lead_units", box.dataset.titleUnits, "id"],
    ];
    groups.forEach(function (group) {
      var items = data[group[0]] || [];
      var line = document.createElement("p");
      var label = document.createElement("span");
      label.className = "muted";
      label.textContent = group[1] + "：";
      line.appendChild(label);
      if (!items.length) {
        var none = document.createElement("span");
        none.className = "muted";
        none.textContent = box.dataset.empty;
        line.appendChild(none);
      }
      items.forEach(function (item) {
        var text = item.name + " " + Math.round(item.confidence * 100) + "%";
        var select = group[0] === "categories" ? document.getElementById("id_category") : null;
        var usable = select && select.querySelector('option[value="' + CSS.escape(item.code) + '"]');
        var chip = document.createElement(usable ? "button" : "span");
        chip.className = "chip";
        chip.textContent = text;
        if (usable) {
          chip.type = "button";
          chip.title = box.dataset.hint;
          chip.addEventListener("click", function () {
            select.value = item.code;
            select.dispatchEvent(new Event("change", { bubbles: true }));
          });
        }
        line.appendChild(chip);
      });
      box.appendChild(line);
    });
  }

  function askSuggestions(form) {
    var box = document.getElementById("text-suggestions");
    var title = form.querySelector("#id_title");
    var description = form.querySelector("#id_description");
    var region = form.querySelector("#id_region_code");
    var token = form.querySelector("[name=csrfmiddlewaretoken]");
    if (!box || !title || !title.value.trim() || !region || !/^\d{12}$/.test(region.value.trim())) {
      return;
    }
    var body = JSON.stringify({
      title: title.value.trim().slice(0, 100),
      description: description ? description.value.trim().slice(0, 5000) : "",
      region_code: region.value.trim(),
    });
    fetch(box.dataset.url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token ? token.value : "" },
      body: body,
    })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (data) {
          renderSuggestions(box, data);
        }
      })
      .catch(function () {});
  }

  var register = document.getElementById("register-form");
  if (register) {
    register.addEventListener("change", syncRegisterForm);
    syncRegisterForm();
    var pending = null;
    register.addEventListener("input", function (event) {
      if (["id_title", "id_description", "id_region_code"].indexOf(event.target.id) < 0) {
        return;
      }
      window.clearTimeout(pending);
      pending = window.setTimeout(function () {
        askSuggestions(register);
      }, 600);
    });
    askSuggestions(register);
  }
  refreshCountdowns();
  window.setInterval(refreshCountdowns, MINUTE);
})();
