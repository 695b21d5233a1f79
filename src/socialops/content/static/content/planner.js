// The publishing calendar: FullCalendar 6 (global build) fed by the placements API and the
// marketing-calendar feed. Page data comes from data-* attributes and the JSON block
// #planner-messages (CSP forbids inline script). Times are the workspace's wall-clock time:
// the feed sends them without an offset and the calendar runs in "UTC" so nothing shifts them.
(function () {
  "use strict";

  function csrfToken() {
    try {
      var headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
      if (headers["X-CSRFToken"]) return headers["X-CSRFToken"];
    } catch (e) { /* fall back to the cookie */ }
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function api(method, url, body) {
    var options = {
      method: method,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" }
    };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(url, options).then(function (response) {
      if (response.status === 204) return { ok: true, data: null };
      return response.json().then(
        function (data) { return { ok: response.ok, status: response.status, data: data }; },
        function () { return { ok: response.ok, status: response.status, data: {} }; }
      );
    });
  }

  // A FullCalendar date string in calendar time ("…Z" because the calendar runs in UTC) as the
  // workspace's wall-clock time without an offset, which the API reads in the workspace's zone.
  function wallClock(str) {
    return String(str).replace(/(Z|[+-]\d\d:\d\d)$/, "");
  }

  function init() {
    var el = document.getElementById("plan-calendar");
    if (!el || typeof window.FullCalendar === "undefined") return;
    var messages = JSON.parse(document.getElementById("planner-messages").textContent);
    var canEdit = el.dataset.canEdit === "1";
    var base = el.dataset.placementUrl;
    var filter = document.getElementById("plan-account-filter");
    var alertBox = document.getElementById("planner-alert");
    var detail = document.getElementById("placement-detail");
    var current = null;

    function say(kind, text) {
      alertBox.className = "alert alert-" + kind;
      alertBox.textContent = text;
    }

    function fact(list, label, value) {
      var dt = document.createElement("dt");
      dt.className = "col-4";
      dt.textContent = label;
      var dd = document.createElement("dd");
      dd.className = "col-8 mb-1";
      dd.textContent = value;
      list.appendChild(dt);
      list.appendChild(dd);
    }

    var panel = null;
    function offcanvas() {
      if (!panel && window.bootstrap && window.bootstrap.Offcanvas) {
        panel = window.bootstrap.Offcanvas.getOrCreateInstance(detail);
      }
      return panel;
    }

    function show(event) {
      current = event;
      var p = event.extendedProps;
      detail.querySelector("[data-detail=title]").textContent = p.itemTitle;
      var chip = detail.querySelector("[data-detail=status]");
      chip.className = "plan-chip plan-chip-" + p.state;
      chip.textContent = p.statusLabel;
      var link = detail.querySelector("[data-detail=item-link]");
      if (link) link.setAttribute("href", p.itemUrl);
      var facts = detail.querySelector("[data-detail=facts]");
      facts.textContent = "";
      fact(facts, messages.account, p.account);
      fact(facts, messages.time, p.time);
      fact(facts, messages.theme, p.theme);
      fact(facts, messages.form, p.form);
      fact(facts, messages.importance, p.importance);
      fact(facts, messages.source, p.source + (p.locked ? " · " + messages.locked : ""));
      var list = detail.querySelector("[data-detail=explanation]");
      list.textContent = "";
      (p.explanation || []).forEach(function (text) {
        var li = document.createElement("li");
        li.textContent = text;
        list.appendChild(li);
      });
      var lock = detail.querySelector("[data-detail-action=lock]");
      if (lock) lock.textContent = p.locked ? messages.unlock : messages.lock;
      detail.dataset.placementId = String(p.placementId);
      if (offcanvas()) offcanvas().show(); else detail.classList.add("show");
    }

    function hide() {
      current = null;
      if (offcanvas()) offcanvas().hide(); else detail.classList.remove("show");
      delete detail.dataset.placementId;
    }

    // A post drawn as time · state / title / account, wrapping instead of being cut off.
    function content(arg) {
      var p = arg.event.extendedProps;
      if (!p.placementId) return true;
      var box = document.createElement("div");
      box.className = "plan-body";
      var head = document.createElement("div");
      head.className = "plan-head";
      var time = document.createElement("span");
      time.className = "plan-time";
      time.textContent = p.localTime;
      var chip = document.createElement("span");
      chip.className = "plan-chip plan-chip-" + p.state;
      chip.textContent = p.statusLabel;
      head.appendChild(time);
      head.appendChild(chip);
      var title = document.createElement("div");
      title.className = "plan-title";
      title.textContent = (p.locked ? "🔒 " : "") + p.itemTitle;
      var account = document.createElement("div");
      account.className = "plan-account";
      account.textContent = p.account;
      box.appendChild(head);
      box.appendChild(title);
      box.appendChild(account);
      return { domNodes: [box] };
    }

    // Years without official holiday data: one line above the calendar, not over the dates.
    function coverage(events) {
      var box = document.getElementById("planner-coverage");
      if (!box) return;
      var notes = [];
      events.forEach(function (e) {
        if (e.id && e.id.indexOf("uncovered:") === 0 && notes.indexOf(e.title) < 0) notes.push(e.title);
      });
      box.textContent = notes.join(" ");
      box.classList.toggle("d-none", notes.length === 0);
    }

    function failure(result) {
      var data = result.data || {};
      var reasons = data.errors ? Object.keys(data.errors).map(function (k) { return data.errors[k].join(" "); }) : [];
      return reasons.length ? reasons.join(" ") : (data.message || messages.failed);
    }

    // Move a placement to a wall-clock time; resolves to the API's answer. Used by drag and drop.
    function move(id, startsAt) {
      return api("PATCH", base + id, { starts_at: startsAt });
    }

    // FullCalendar 6 writes ARIA that screen readers trip on: icon spans with role="img" and no
    // name (their buttons carry the title), aria-expanded on "+n more" links that are not buttons,
    // and day cells named by their date link while they also hold the posts. Fix what it renders,
    // every time it re-renders.
    function accessible(root) {
      function fix() {
        root.querySelectorAll(".fc-icon[role=img]").forEach(function (icon) {
          icon.removeAttribute("role");
          icon.setAttribute("aria-hidden", "true");
        });
        root.querySelectorAll("a.fc-more-link[aria-expanded]").forEach(function (link) {
          link.setAttribute("role", "button");
        });
        root.querySelectorAll("td.fc-daygrid-day[aria-labelledby]").forEach(function (cell) {
          cell.removeAttribute("aria-labelledby");
        });
      }
      fix();
      new MutationObserver(fix).observe(root, { childList: true, subtree: true });
    }

    var calendar = new window.FullCalendar.Calendar(el, {
      locale: el.dataset.locale,
      timeZone: "UTC",
      initialView: window.matchMedia("(max-width: 576px)").matches ? "listWeek" : "dayGridMonth",
      initialDate: el.dataset.initialDate,
      firstDay: 1,
      height: "auto",
      headerToolbar: { left: "prev,next today", center: "title", right: "dayGridMonth,timeGridWeek,listWeek" },
      dayMaxEvents: 4,
      eventDisplay: "block",
      editable: canEdit,
      eventDurationEditable: false,
      eventStartEditable: canEdit,
      slotDuration: "01:00:00",
      scrollTime: "07:00:00",
      eventTimeFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
      eventContent: content,
      eventsSet: coverage,
      views: {
        timeGridWeek: { slotEventOverlap: false, eventMinHeight: 56, expandRows: true, dayMaxEvents: false },
        dayGridMonth: { dayMaxEvents: 4 }
      },
      eventSources: [
        {
          id: "placements",
          url: el.dataset.feedUrl,
          extraParams: function () { return filter && filter.value ? { account: filter.value } : {}; },
          failure: function () { say("danger", messages.failed); }
        },
        { id: "calendar", url: el.dataset.backgroundUrl, editable: false }
      ],
      eventDrop: function (info) {
        var id = info.event.extendedProps.placementId;
        if (!id) { info.revert(); return; }
        move(id, wallClock(info.event.startStr)).then(function (result) {
          if (!result.ok) {
            info.revert();
            say("danger", messages.moveFailed + " " + failure(result));
            return;
          }
          say("success", messages.moved);
          calendar.refetchEvents();
        }, function () {
          info.revert();
          say("danger", messages.failed);
        });
      },
      eventClick: function (info) {
        if (!info.event.extendedProps.placementId) return;
        info.jsEvent.preventDefault();
        show(info.event);
      }
    });
    calendar.render();
    accessible(el);
    el.dataset.ready = "1";
    // For scripts and browser tests: the same path a drag takes.
    el.plannerMove = function (id, startsAt) {
      return move(id, startsAt).then(function (result) { calendar.refetchEvents(); return result; });
    };

    if (filter) filter.addEventListener("change", function () { hide(); calendar.refetchEvents(); });
    var close = detail.querySelector("[data-detail-close]");
    if (close) close.addEventListener("click", function () { current = null; });
    detail.addEventListener("click", function (ev) {
      var button = ev.target.closest("[data-detail-action]");
      if (!button || !current) return;
      var p = current.extendedProps;
      var action = button.dataset.detailAction;
      var request;
      if (action === "lock") {
        request = api("POST", base + p.placementId + (p.locked ? "/unlock" : "/lock"));
      } else if (action === "delete") {
        if (!window.confirm(messages.removeConfirm)) return;
        request = api("DELETE", base + p.placementId);
      } else {
        return;
      }
      request.then(function (result) {
        if (!result.ok) { say("danger", failure(result)); return; }
        if (action === "delete") {
          say("success", messages.removed);
          hide();
        } else {
          say("success", p.locked ? messages.unlockedDone : messages.lockedDone);
          hide();
        }
        calendar.refetchEvents();
      }, function () { say("danger", messages.failed); });
    });
  }

  document.addEventListener("DOMContentLoaded", init);
})();
