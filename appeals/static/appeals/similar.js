// 登记: before saving, ask POST /api/v1/appeals/similar for open or recent appeals that tell the same problem,
// and list them beside the form, so that a duplicate is seen before it is registered.
(function () {
  "use strict";
  var box = document.querySelector("[data-similar-url]");
  var form = document.getElementById("register-form");
  if (!box || !form) return;
  var title = form.querySelector("[name=title]");
  var description = form.querySelector("[name=description]");
  var region = form.querySelector("[name=region_code]");
  var list = box.querySelector("[data-similar-list]");
  var timer = null;
  var asked = "";

  function row(item) {
    var li = document.createElement("li");
    var link = document.createElement("a");
    link.href = box.dataset.detailUrl.replace("0", String(item.id));
    link.textContent = item.code;
    link.target = "_blank";
    var text = document.createElement("span");
    text.textContent = " " + item.title + " · " + box.dataset.scoreLabel + " " + Math.round(item.score * 100) + "%";
    li.appendChild(link);
    li.appendChild(text);
    return li;
  }

  function ask() {
    var body = {title: title.value.trim(), description: description.value.trim(), region_code: region.value.trim()};
    if (!body.title || !body.description || !/^\d{12}$/.test(body.region_code)) return;
    var key = JSON.stringify(body);
    if (key === asked) return;
    asked = key;
    fetch(box.dataset.similarUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": form.querySelector("[name=csrfmiddlewaretoken]").value},
      body: key,
    })
      .then(function (response) { return response.ok ? response.json() : {items: []}; })
      .then(function (data) {
        list.replaceChildren.apply(list, data.items.map(row));
        box.hidden = data.items.length === 0;
      })
      .catch(function () { box.hidden = true; });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, 600);
  }

  [title, description, region].forEach(function (field) {
    if (field) {
      field.addEventListener("input", later);
      field.addEventListener("change", ask);
    }
  });
  ask();
})();
