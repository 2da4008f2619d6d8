/* 走访 field app (/m/): places and categories from the API kept in IndexedDB, visits recorded offline into an
   IndexedDB outbox, sent to POST /api/v1/visits/batch when the network is there. A record leaves the phone's
   list of unsent work only when the server has confirmed it (201 stored, 200 already stored); the server treats
   the same client UUID as the same visit, so sending twice is harmless (DESIGN §2, principle 3).
   gettext does not reach static files, so the texts this script writes are Chinese here. */
(function () {
  "use strict";

  var T = {
    online: "在线",
    offline: "离线",
    pending: "待同步",
    syncing: "同步中",
    synced: "已同步",
    conflict: "冲突",
    invalid: "有误",
    saved: "已保存到本机，联网后自动上报",
    choosePlace: "请选择走访的村（社区）",
    startedRequired: "请填写走访时间",
    problemIncomplete: "第 %s 个问题请填写标题、描述和分类",
    noPlaces: "还没有村（社区）数据，请联网后点“刷新”",
    placesUpdated: "更新于 %s",
    placesFailed: "暂时无法获取村（社区），显示的是上次保存的数据",
    lastSync: "上次同步 %s",
    syncFailed: "网络或服务器暂时不可用，稍后自动重试",
    signIn: "登录已失效，请联网后重新登录再同步",
    conflictMessage: "服务器上已有同一编号但内容不同的记录",
    problems: "%s 个问题",
    households: "%s 户",
    people: "%s 人",
    storageFailed: "本机存储不可用，无法离线保存",
    otherUser: "当前登录的账号与本页不一致，请刷新页面；本页记录留在本机，原账号登录后再同步",
  };

  var BATCH = 100;
  var PERIOD = 30 * 1000;
  var MAX_BACKOFF = 5 * 60 * 1000;
  var KEEP_SYNCED = 30 * 24 * 60 * 60 * 1000;

  var body = document.body;
  var dbName = "zoufang-field-" + (body.dataset.user || "anonymous");
  var dbPromise = null;

  function fmt(text, value) {
    return text.replace("%s", String(value));
  }

  // --- IndexedDB -----------------------------------------------------------------------------------------

  function openDb() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var request = indexedDB.open(dbName, 1);
        request.onupgradeneeded = function () {
          var db = request.result;
          db.createObjectStore("outbox", { keyPath: "uuid" });
          db.createObjectStore("places", { keyPath: "code" });
          db.createObjectStore("categories", { keyPath: "code" });
          db.createObjectStore("meta", { keyPath: "key" });
        };
        request.onsuccess = function () {
          resolve(request.result);
        };
        request.onerror = function () {
          reject(request.error);
        };
      });
    }
    return dbPromise;
  }

  function tx(stores, mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(stores, mode);
        var result;
        t.oncomplete = function () {
          resolve(result);
        };
        t.onerror = function () {
          reject(t.error);
        };
        t.onabort = function () {
          reject(t.error);
        };
        result = work(t);
      });
    });
  }

  function getAll(store) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var request = db.transaction(store, "readonly").objectStore(store).getAll();
        request.onsuccess = function () {
          resolve(request.result || []);
        };
        request.onerror = function () {
          reject(request.error);
        };
      });
    });
  }

  function replaceAll(store, items) {
    return tx([store], "readwrite", function (t) {
      var s = t.objectStore(store);
      s.clear();
      items.forEach(function (item) {
        s.put(item);
      });
    });
  }

  function putRecords(records) {
    return tx(["outbox"], "readwrite", function (t) {
      var s = t.objectStore("outbox");
      records.forEach(function (record) {
        s.put(record);
      });
    });
  }

  function setMeta(key, value) {
    return tx(["meta"], "readwrite", function (t) {
      t.objectStore("meta").put({ key: key, value: value });
    });
  }

  function getMeta(key) {
    return getAll("meta").then(function (rows) {
      var row = rows.filter(function (r) {
        return r.key === key;
      })[0];
      return row ? row.value : null;
    });
  }

  // --- network helpers -----------------------------------------------------------------------------------

  function csrfToken() {
    var meta = document.querySelector("meta[name=csrf-token]");
    return meta ? meta.getAttribute("content") : "";
  }

  // The shell may come from the service worker's cache, with a token from an older page; ask for the current one.
  function freshToken() {
    return fetch(body.dataset.csrfUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) {
          return csrfToken();
        }
        return response.json().then(function (data) {
          if (data.username !== body.dataset.user) {
            throw new Error("other user");
          }
          var meta = document.querySelector("meta[name=csrf-token]");
          if (meta && data.token) {
            meta.setAttribute("content", data.token);
          }
          return data.token || csrfToken();
        });
      })
      .catch(function (error) {
        if (error && error.message === "other user") {
          notice(T.otherUser);
          throw error;
        }
        return csrfToken();
      });
  }

  function getJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) {
        throw new Error("HTTP " + r.status);
      }
      return r.json();
    });
  }

  // The page's requests run one after another: a phone on a weak network does better without parallel
  // requests, and so does the embedded SQLite deployment, where each request also renews the session.
  var lane = Promise.resolve();

  function inLane(task) {
    var run = lane.then(task, task);
    lane = run.catch(function () {});
    return run;
  }

  // --- places and categories -----------------------------------------------------------------------------

  var places = [];
  var categories = [];

  function loadPlacesFromApi() {
    var all = [];
    function page(cursor) {
      var url = "/api/v1/regions?level=5&limit=200" + (cursor ? "&cursor=" + encodeURIComponent(cursor) : "");
      return getJson(url).then(function (data) {
        (data.items || []).forEach(function (item) {
          all.push({ code: item.code, name: item.name, parent_code: item.parent_code });
        });
        return data.next_cursor ? page(data.next_cursor) : all;
      });
    }
    return page(null).then(function (items) {
      return replaceAll("places", items).then(function () {
        return setMeta("places_updated", Date.now());
      }).then(function () {
        return items;
      });
    });
  }

  function loadCategoriesFromApi() {
    return getJson("/api/v1/categories").then(function (items) {
      var rows = items.map(function (c) {
        return { code: c.code, name: c.name, parent_code: c.parent_code };
      });
      return replaceAll("categories", rows).then(function () {
        return rows;
      });
    });
  }

  function byCode(a, b) {
    return a.code < b.code ? -1 : a.code > b.code ? 1 : 0;
  }

  function renderPlaces() {
    places.sort(byCode);
    var select = document.getElementById("f-place");
    var chosen = select.value;
    while (select.options.length > 1) {
      select.remove(1);
    }
    places.forEach(function (p) {
      select.add(new Option(p.name + "（" + p.code + "）", p.code));
    });
    select.value = chosen;
    var filter = (document.getElementById("places-filter").value || "").trim();
    var list = document.getElementById("places-list");
    list.textContent = "";
    places.forEach(function (p) {
      if (filter && p.name.indexOf(filter) === -1 && p.code.indexOf(filter) === -1) {
        return;
      }
      var li = document.createElement("li");
      li.dataset.code = p.code;
      li.textContent = p.name;
      var code = document.createElement("span");
      code.className = "code";
      code.textContent = p.code;
      li.appendChild(code);
      list.appendChild(li);
    });
    if (!places.length) {
      var empty = document.createElement("li");
      empty.className = "muted";
      empty.textContent = T.noPlaces;
      list.appendChild(empty);
    }
    getMeta("places_updated").then(function (at) {
      document.getElementById("places-updated").textContent = at ? fmt(T.placesUpdated, timeText(at)) : "";
    });
  }

  function fillCategorySelect(select) {
    var chosen = select.value;
    while (select.options.length > 1) {
      select.remove(1);
    }
    var children = {};
    categories.forEach(function (c) {
      if (c.parent_code) {
        (children[c.parent_code] = children[c.parent_code] || []).push(c);
      }
    });
    categories
      .filter(function (c) {
        return !c.parent_code;
      })
      .sort(byCode)
      .forEach(function (top) {
        var kids = (children[top.code] || []).sort(byCode);
        if (!kids.length) {
          select.add(new Option(top.name, top.code));
          return;
        }
        var group = document.createElement("optgroup");
        group.label = top.name;
        kids.forEach(function (c) {
          group.appendChild(new Option(c.name, c.code));
        });
        select.appendChild(group);
      });
    select.value = chosen;
  }

  function renderCategories() {
    document.querySelectorAll("#problems .category-select").forEach(fillCategorySelect);
  }

  // Every request of this page goes through one lane, one at a time (see inLane).
  function refreshReference() {
    return inLane(function () {
      return loadPlacesFromApi()
        .then(function (items) {
          places = items;
          renderPlaces();
        })
        .catch(function () {
          if (navigator.onLine) {
            notice(T.placesFailed);
          }
        })
        .then(loadCategoriesFromApi)
        .then(function (items) {
          categories = items;
          renderCategories();
        })
        .catch(function () {});
    });
  }

  // --- the visit form ------------------------------------------------------------------------------------

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  function localInputValue(date) {
    return (
      date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) +
      "T" + pad(date.getHours()) + ":" + pad(date.getMinutes())
    );
  }

  function timeText(ms) {
    var d = new Date(ms);
    return (d.getMonth() + 1) + "月" + d.getDate() + "日 " + pad(d.getHours()) + ":" + pad(d.getMinutes());
  }

  function numberProblems() {
    document.querySelectorAll("#problems .problem").forEach(function (fs, i) {
      fs.querySelector(".problem-number").textContent = String(i + 1);
    });
  }

  function addProblem() {
    var template = document.getElementById("problem-template");
    var fieldset = template.content.firstElementChild.cloneNode(true);
    fillCategorySelect(fieldset.querySelector(".category-select"));
    var kind = fieldset.querySelector("[name=kind]");
    var risk = fieldset.querySelector(".risk");
    var anonymous = fieldset.querySelector("[name=anonymous]");
    var reporter = fieldset.querySelector(".reporter");
    function sync() {
      risk.hidden = kind.value !== "dispute";
      reporter.hidden = anonymous.checked;
    }
    kind.addEventListener("change", sync);
    anonymous.addEventListener("change", sync);
    fieldset.querySelector(".remove-problem").addEventListener("click", function () {
      fieldset.remove();
      numberProblems();
    });
    sync();
    document.getElementById("problems").appendChild(fieldset);
    numberProblems();
    fieldset.querySelector("[name=title]").focus();
  }

  function value(root, name) {
    var el = root.querySelector("[name=" + name + "]");
    return el ? el.value.trim() : "";
  }

  function formError(text) {
    var el = document.getElementById("form-error");
    el.textContent = text || "";
    el.hidden = !text;
  }

  function newUuid() {
    if (window.crypto && crypto.randomUUID) {
      return crypto.randomUUID();
    }
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) {
      return (x + 0x100).toString(16).slice(1);
    }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function count(id) {
    var n = parseInt(document.getElementById(id).value, 10);
    return isNaN(n) || n < 0 ? 0 : n;
  }

  function readForm() {
    var form = document.getElementById("visit-form");
    var place = form.querySelector("#f-place").value;
    if (!place) {
      return { error: T.choosePlace };
    }
    var started = new Date(form.querySelector("#f-started").value);
    if (isNaN(started.getTime())) {
      return { error: T.startedRequired };
    }
    var problems = [];
    var error = null;
    form.querySelectorAll("#problems .problem").forEach(function (fs, i) {
      var p = {
        kind: value(fs, "kind"),
        title: value(fs, "title"),
        description: value(fs, "description"),
        category: value(fs, "category"),
      };
      if (!p.title || !p.description || !p.category) {
        error = error || fmt(T.problemIncomplete, i + 1);
      }
      if (p.kind === "dispute" && value(fs, "risk_colour")) {
        p.risk_colour = value(fs, "risk_colour");
      }
      if (fs.querySelector("[name=anonymous]").checked) {
        p.anonymous = true;
      } else if (value(fs, "reporter_name") || value(fs, "reporter_phone")) {
        p.reporter = { name: value(fs, "reporter_name"), phone: value(fs, "reporter_phone") };
      }
      if (value(fs, "on_site_reply")) {
        p.on_site_reply = value(fs, "on_site_reply");
      }
      problems.push(p);
    });
    if (error) {
      return { error: error };
    }
    var placeRow = places.filter(function (p) {
      return p.code === place;
    })[0];
    return {
      place_name: placeRow ? placeRow.name : place,
      body: {
        uuid: newUuid(),
        place_code: place,
        started_at: started.toISOString(),
        households_reached: count("f-households"),
        people_met: count("f-people"),
        notes: form.querySelector("#f-notes").value.trim(),
        problems: problems,
      },
    };
  }

  function resetForm() {
    var form = document.getElementById("visit-form");
    var place = form.querySelector("#f-place").value;
    form.reset();
    form.querySelector("#f-place").value = place; // the next household is usually in the same village
    document.getElementById("problems").textContent = "";
    form.querySelector("#f-started").value = localInputValue(new Date());
    formError("");
  }

  function onSave(event) {
    event.preventDefault();
    var read = readForm();
    if (read.error) {
      formError(read.error);
      return;
    }
    var record = {
      uuid: read.body.uuid,
      created_at: Date.now(),
      state: "pending",
      body: read.body,
      place_name: read.place_name,
      message: "",
      details: null,
      server_id: null,
      synced_at: null,
    };
    putRecords([record])
      .then(function () {
        resetForm();
        notice(T.saved);
        return renderOutbox();
      })
      .then(function () {
        sync({ force: true });
      })
      .catch(function () {
        formError(T.storageFailed);
      });
  }

  // --- outbox --------------------------------------------------------------------------------------------

  function renderOutbox() {
    return getAll("outbox").then(function (records) {
      records.sort(function (a, b) {
        return b.created_at - a.created_at;
      });
      var list = document.getElementById("outbox-list");
      list.textContent = "";
      var unsent = 0;
      records.forEach(function (r) {
        if (r.state === "pending" || r.state === "syncing") {
          unsent += 1;
        }
        var li = document.createElement("li");
        li.dataset.uuid = r.uuid;
        li.dataset.state = r.state;
        var head = document.createElement("div");
        head.className = "head";
        var place = document.createElement("strong");
        place.textContent = r.place_name;
        var state = document.createElement("span");
        state.className = "state";
        state.dataset.state = r.state;
        state.textContent = T[r.state] || r.state;
        head.appendChild(place);
        head.appendChild(state);
        li.appendChild(head);
        var info = document.createElement("div");
        info.className = "muted";
        var parts = [
          timeText(Date.parse(r.body.started_at)),
          fmt(T.households, r.body.households_reached),
          fmt(T.people, r.body.people_met),
        ];
        if (r.body.problems.length) {
          parts.push(fmt(T.problems, r.body.problems.length));
        }
        info.textContent = parts.join(" · ");
        li.appendChild(info);
        if (r.message) {
          var message = document.createElement("div");
          message.className = "message";
          message.dataset.testid = "message";
          message.textContent = r.message;
          li.appendChild(message);
        }
        list.appendChild(li);
      });
      document.getElementById("outbox-empty").hidden = records.length > 0;
      var badge = document.querySelector("[data-testid=pending-count]");
      badge.textContent = String(unsent);
      badge.classList.toggle("has", unsent > 0);
    });
  }

  function describeError(error) {
    if (!error) {
      return "";
    }
    var text = error.message || "";
    var details = error.details;
    if (details && typeof details === "object" && !Array.isArray(details)) {
      var extra = Object.keys(details)
        .map(function (k) {
          var v = details[k];
          return typeof v === "string" ? v : "";
        })
        .filter(function (v) {
          return v && v !== text;
        });
      if (extra.length) {
        text += "：" + extra.join("；");
      }
    } else if (Array.isArray(details) && details.length) {
      text += "：" + details
        .map(function (d) {
          return (d.loc || []).join(".") + " " + (d.msg || "");
        })
        .join("；");
    }
    return text;
  }

  var syncing = false;
  var failures = 0;
  var notBefore = 0;

  function backoff() {
    failures += 1;
    var delay = Math.min(MAX_BACKOFF, 5000 * Math.pow(2, failures - 1));
    notBefore = Date.now() + delay * (0.75 + Math.random() * 0.5);
  }

  function sendBatch(records, token) {
    return fetch("/api/v1/visits/batch", {
      method: "POST",
      credentials: "same-origin",
      cache: "no-store",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": token },
      body: JSON.stringify({
        visits: records.map(function (r) {
          return r.body;
        }),
      }),
    });
  }

  // Applies the server's answer for one batch; resolves to false when the batch must be tried again later.
  function applyAnswer(records, response) {
    if (!response.ok) {
      if (response.status === 401 || response.status === 403) {
        notice(T.signIn);
      }
      records.forEach(function (r) {
        r.state = "pending";
      });
      return putRecords(records).then(function () {
        return false;
      });
    }
    return response.json().then(function (data) {
      var results = data.results || [];
      var now = Date.now();
      records.forEach(function (r, i) {
        var result = results[i];
        if (!result || result.uuid !== r.uuid) {
          result = results.filter(function (x) {
            return x && x.uuid === r.uuid;
          })[0];
        }
        var status = result ? result.status : 0;
        if (status === 201 || status === 200) {
          r.state = "synced";
          r.server_id = result.id;
          r.synced_at = now;
          r.message = "";
        } else if (status === 409) {
          r.state = "conflict";
          r.message = describeError(result.error) || T.conflictMessage;
          r.details = result.error || null;
        } else if (status === 422) {
          r.state = "invalid";
          r.message = describeError(result.error);
          r.details = result.error || null;
        } else {
          r.state = "pending";
        }
      });
      return putRecords(records).then(function () {
        return records.every(function (r) {
          return r.state !== "pending";
        });
      });
    });
  }

  function sync(options) {
    return inLane(function () {
      return syncNow(options);
    });
  }

  function syncNow(options) {
    var force = options && options.force;
    if (syncing || !navigator.onLine || (!force && Date.now() < notBefore)) {
      return Promise.resolve();
    }
    syncing = true;
    return getAll("outbox")
      .then(function (records) {
        // "syncing" left behind by a closed page was never confirmed: send it again.
        var unsent = records
          .filter(function (r) {
            return r.state === "pending" || r.state === "syncing";
          })
          .sort(function (a, b) {
            return a.created_at - b.created_at;
          });
        if (!unsent.length) {
          return true;
        }
        return freshToken().then(function (token) {
          function next(start) {
            var batch = unsent.slice(start, start + BATCH);
            if (!batch.length) {
              return Promise.resolve(true);
            }
            batch.forEach(function (r) {
              r.state = "syncing";
            });
            return putRecords(batch)
              .then(renderOutbox)
              .then(function () {
                return sendBatch(batch, token).then(
                  function (response) {
                    return applyAnswer(batch, response);
                  },
                  function () {
                    batch.forEach(function (r) {
                      r.state = "pending";
                    });
                    return putRecords(batch).then(function () {
                      return false;
                    });
                  }
                );
              })
              .then(function (ok) {
                return renderOutbox().then(function () {
                  return ok ? next(start + BATCH) : false;
                });
              });
          }
          return next(0);
        });
      })
      .then(function (ok) {
        if (ok) {
          failures = 0;
          notBefore = 0;
          var at = Date.now();
          document.getElementById("last-sync").textContent = fmt(T.lastSync, timeText(at));
          return setMeta("last_sync", at);
        }
        backoff();
        notice(T.syncFailed);
        return undefined;
      })
      .catch(function () {
        backoff();
      })
      .then(function () {
        syncing = false;
        return renderOutbox();
      });
  }

  function pruneSynced() {
    var limit = Date.now() - KEEP_SYNCED;
    return tx(["outbox"], "readwrite", function (t) {
      var s = t.objectStore("outbox");
      s.openCursor().onsuccess = function (event) {
        var cursor = event.target.result;
        if (!cursor) {
          return;
        }
        var r = cursor.value;
        // Only records the server has confirmed may leave the phone.
        if (r.state === "synced" && r.synced_at && r.synced_at < limit) {
          cursor.delete();
        }
        cursor.continue();
      };
    });
  }

  // --- page chrome ---------------------------------------------------------------------------------------

  var noticeTimer = null;

  function notice(text) {
    var el = document.querySelector("[data-testid=notice]");
    el.textContent = text;
    el.hidden = false;
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(function () {
      el.hidden = true;
    }, 6000);
  }

  function showNetwork() {
    var el = document.querySelector("[data-testid=network]");
    el.dataset.online = navigator.onLine ? "1" : "0";
    el.textContent = navigator.onLine ? T.online : T.offline;
  }

  function showTab() {
    var name = (location.hash || "#record").slice(1);
    if (!document.querySelector("[data-panel=" + name + "]")) {
      name = "record";
    }
    document.querySelectorAll("[data-panel]").forEach(function (panel) {
      panel.hidden = panel.dataset.panel !== name;
    });
    document.querySelectorAll("[data-tab]").forEach(function (tab) {
      if (tab.dataset.tab === name) {
        tab.setAttribute("aria-current", "page");
      } else {
        tab.removeAttribute("aria-current");
      }
    });
  }

  function registerWorker() {
    if (!("serviceWorker" in navigator)) {
      return;
    }
    navigator.serviceWorker.register(body.dataset.sw, { scope: body.dataset.scope }).catch(function () {});
  }

  function start() {
    showTab();
    showNetwork();
    window.addEventListener("hashchange", showTab);
    window.addEventListener("online", function () {
      showNetwork();
      refreshReference();
      sync({ force: true });
    });
    window.addEventListener("offline", showNetwork);
    document.getElementById("f-started").value = localInputValue(new Date());
    document.getElementById("visit-form").addEventListener("submit", onSave);
    document.getElementById("add-problem").addEventListener("click", addProblem);
    document.getElementById("sync-now").addEventListener("click", function () {
      sync({ force: true });
    });
    document.getElementById("refresh-places").addEventListener("click", refreshReference);
    document.getElementById("places-filter").addEventListener("input", renderPlaces);

    Promise.all([getAll("places"), getAll("categories"), getMeta("last_sync")])
      .then(function (stored) {
        places = stored[0];
        categories = stored[1];
        if (stored[2]) {
          document.getElementById("last-sync").textContent = fmt(T.lastSync, timeText(stored[2]));
        }
        renderPlaces();
        renderCategories();
        body.dataset.ready = "1";
        return pruneSynced();
      })
      .then(renderOutbox)
      .then(function () {
        var ready = navigator.onLine ? refreshReference() : Promise.resolve();
        ready.then(function () {
          body.dataset.placesLoaded = "1";
        });
        // The worker installs after the page's own requests, so the two do not compete.
        return sync({ force: true }).then(registerWorker);
      })
      .catch(function () {
        formError(T.storageFailed);
      });
    setInterval(function () {
      sync();
    }, PERIOD);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
