// The marketer pages' helpers: bulk selection, the calendar's drag-and-drop, the browser's time zone.
// Every page works without them: the list's checkboxes, a post's reschedule form and "+ New post" do the same.
"use strict";
(function () {
  // --- bulk selection on the list -----------------------------------------------------------------------
  var pageBox = document.getElementById("select-page");
  if (pageBox) {
    pageBox.addEventListener("change", function () {
      document.querySelectorAll("input[name=ids]").forEach(function (box) { box.checked = pageBox.checked; });
    });
  }
  var action = document.getElementById("bulk-action");
  var shift = document.getElementById("bulk-shift");
  function showShift() { if (shift) { shift.hidden = action.value !== "shift"; } }
  if (action) { action.addEventListener("change", showShift); showShift(); }
  var bulk = document.getElementById("bulk");
  if (bulk) {
    bulk.addEventListener("submit", function (ev) {
      var all = document.getElementById("all-matching");
      var ticked = document.querySelectorAll("input[name=ids]:checked").length;
      var n = all && all.checked ? all.parentNode.textContent.replace(/\D+/g, "") : String(ticked);
      if (action.value === "cancel" && !window.confirm("Cancel " + n + " post(s)?")) { ev.preventDefault(); }
    });
  }

  // --- a new post counts by the rules of the account picked (the counter asks for that platform) ---------
  var picker = document.getElementById("account");
  var typed = document.querySelector("form.new-post textarea[data-length-url]");
  if (picker && typed) {
    picker.addEventListener("change", function () {
      var chosen = picker.options[picker.selectedIndex];
      typed.dataset.account = chosen.value;
      typed.dataset.platform = chosen.dataset.platform;
      typed.dispatchEvent(new Event("input"));
    });
  }

  // --- the browser's zone, offered when it differs from the one shown -----------------------------------
  var zoneForm = document.getElementById("zone");
  var useZone = document.getElementById("use-browser-zone");
  if (zoneForm && useZone && window.Intl) {
    var mine = Intl.DateTimeFormat().resolvedOptions().timeZone;
    var input = document.getElementById("tz");
    if (mine && input && mine !== input.value) {
      useZone.textContent = "Use " + mine + " (this browser)";
      useZone.hidden = false;
      useZone.addEventListener("click", function () { input.value = mine; zoneForm.submit(); });
    }
  }

  // --- drag-and-drop on the calendar ---------------------------------------------------------------------
  var grid = document.querySelector(".week[data-move-url], .month[data-move-url]");
  var dialog = document.getElementById("move-dialog");
  if (!grid || !dialog) { return; }
  var tokenInput = document.querySelector("#move-csrf input[name=csrf_token]");
  var token = tokenInput ? tokenInput.value : "";
  var pending = null; // {id, when}

  function moveUrl(id) { return grid.dataset.moveUrl.replace("/0/", "/" + id + "/"); }

  function send(id, when, confirm) {
    var body = new URLSearchParams({ when: when, tz: grid.dataset.tz, confirm: confirm ? "1" : "0", csrf_token: token });
    return fetch(moveUrl(id), {
      method: "POST",
      headers: { "Accept": "application/json", "X-CSRF-Token": token },
      body: body,
      credentials: "same-origin"
    }).then(function (r) { return r.json().then(function (data) { return { status: r.status, data: data }; }); });
  }

  function ask(id, when, result) {
    pending = { id: id, when: when };
    document.getElementById("move-what").textContent =
      "Post #" + id + " to " + when.replace("T", " ") + " (" + grid.dataset.tz + ")";
    var list = document.getElementById("move-conflicts");
    list.textContent = "";
    var error = document.getElementById("move-error");
    var confirmButton = document.getElementById("move-confirm");
    error.hidden = true;
    if (result.data.conflicts) {
      result.data.conflicts.forEach(function (c) {
        var li = document.createElement("li");
        li.textContent = c;
        list.appendChild(li);
      });
      confirmButton.hidden = false;
    } else {
      error.textContent = result.data.error || "The move did not work.";
      error.hidden = false;
      confirmButton.hidden = true;
    }
    dialog.showModal();
  }

  function move(id, when) {
    send(id, when, false).then(function (result) {
      if (result.status === 200) { window.location.reload(); return; }
      ask(id, when, result);
    }).catch(function () { window.location.href = moveUrl(id).replace("/reschedule", ""); });
  }

  document.getElementById("move-confirm").addEventListener("click", function () {
    if (!pending) { return; }
    send(pending.id, pending.when, true).then(function (result) {
      if (result.status === 200) { window.location.reload(); return; }
      ask(pending.id, pending.when, result);
    });
  });

  grid.addEventListener("dragstart", function (ev) {
    var item = ev.target.closest ? ev.target.closest(".cal-item[draggable=true]") : null;
    if (!item) { return; }
    ev.dataTransfer.setData("text/plain", item.dataset.item + " " + item.dataset.when);
    ev.dataTransfer.effectAllowed = "move";
    item.classList.add("dragging");
  });
  grid.addEventListener("dragend", function (ev) {
    if (ev.target.classList) { ev.target.classList.remove("dragging"); }
  });
  function target(ev) { return ev.target.closest ? ev.target.closest(".cal-slot, .wk-cell, .mo-day") : null; }
  grid.addEventListener("dragover", function (ev) {
    var t = target(ev);
    if (!t) { return; }
    ev.preventDefault();
    ev.dataTransfer.dropEffect = "move";
    grid.querySelectorAll(".drop-here").forEach(function (el) { if (el !== t) { el.classList.remove("drop-here"); } });
    t.classList.add("drop-here");
  });
  grid.addEventListener("dragleave", function (ev) {
    var t = target(ev);
    if (t && !t.contains(ev.relatedTarget)) { t.classList.remove("drop-here"); }
  });
  grid.addEventListener("drop", function (ev) {
    var t = target(ev);
    if (!t) { return; }
    ev.preventDefault();
    t.classList.remove("drop-here");
    var data = (ev.dataTransfer.getData("text/plain") || "").split(" ");
    var id = data[0];
    var was = data[1] || "";
    if (!/^\d+$/.test(id)) { return; }
    var minutes = was.slice(13, 16) || ":00"; // ":MM" of the post's current time
    var when;
    if (t.classList.contains("cal-slot")) {
      when = t.dataset.when; // a free slot: exactly its time
    } else if (t.dataset.hour !== undefined) {
      var hour = ("0" + t.dataset.hour).slice(-2);
      when = t.dataset.day + "T" + hour + minutes; // an hour of the week: that hour, the same minutes
    } else {
      when = t.dataset.day + "T" + was.slice(11, 16); // a day of the month: the same time of day
    }
    if (when === was) { return; }
    move(id, when);
  });
})();
