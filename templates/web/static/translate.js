// The review workspace: autosave, in-place actions, placeholder chips and keyboard shortcuts.
// Without this script the page still works: one form posts every segment's text with each button.
"use strict";
(function () {
  var form = document.getElementById("workspace");
  if (!form) { return; }
  var token = form.querySelector("input[name=csrf_token]").value;
  var live = document.getElementById("live");
  var PH = /⟦(\d+)⟧/g;
  var pending = new Map();   // textarea -> timer id (typed, not yet sent)
  var inflight = 0;          // autosave requests on their way
  var current = null;        // the segment the user works in

  function segOf(el) { return el && el.closest ? el.closest("article.seg") : null; }
  function areaOf(seg) { return seg ? seg.querySelector(".editor textarea") : null; }

  // --- placeholders: overlay highlight and live check ----------------------------------------------
  function escapeHtml(s) {
    return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }
  function problems(seg, text) {
    var n = Number(seg.dataset.placeholders || 0);
    var found = {};
    var out = [];
    text.replace(PH, function (_m, d) { found[d] = (found[d] || 0) + 1; return ""; });
    for (var i = 1; i <= n; i++) {
      if (!found[i]) { out.push("⟦" + i + "⟧ is missing"); }
      else if (found[i] > 1) { out.push("⟦" + i + "⟧ appears " + found[i] + " times"); }
    }
    Object.keys(found).forEach(function (d) {
      if (Number(d) < 1 || Number(d) > n) { out.push("⟦" + d + "⟧ does not exist in the source"); }
    });
    var rest = text.replace(PH, "");
    if (/[⟦⟧]/.test(rest)) { out.push("a broken placeholder (⟦ or ⟧ without its number)"); }
    return out;
  }
  function refresh(area) {
    var seg = segOf(area);
    var hl = seg.querySelector(".hl");
    if (hl) {
      hl.innerHTML = escapeHtml(area.value).replace(PH, '<mark>$&</mark>') + "\n";
    }
    area.style.height = "auto";
    area.style.height = area.scrollHeight + 2 + "px";
    var status = seg.querySelector(".ph-status");
    var n = Number(seg.dataset.placeholders || 0);
    if (status && n) {
      var bad = problems(seg, area.value);
      status.textContent = bad.length ? bad.join("; ") : "All " + n + " placeholders in place.";
      status.classList.toggle("bad", bad.length > 0);
    }
  }

  // --- autosave -------------------------------------------------------------------------------------
  function say(seg, text) {
    var box = seg && seg.querySelector(".save-state");
    if (box) { box.textContent = text; }
  }
  function sendWip(area) {
    pending.delete(area);
    var seg = segOf(area);
    inflight++;
    return fetch(form.dataset.wipUrl, {
      method: "POST",
      credentials: "same-origin",
      keepalive: true,
      headers: { "Content-Type": "application/json", "X-CSRF-Token": token },
      body: JSON.stringify({ segment: seg.dataset.segment, text: area.value })
    }).then(function (r) {
      say(seg, r.ok ? (area.value === area.dataset.saved ? "" : "Unsaved text kept.") : "Could not keep the text: save it.");
    }).catch(function () { say(seg, "Offline: your text is only in this page."); })
      .finally(function () { inflight--; });
  }
  function typed(area) {
    var approve = segOf(area).querySelector("button[value^='approve:']");
    if (approve && approve.disabled) { approve.disabled = false; approve.textContent = "Approve"; }
    clearTimeout(pending.get(area));
    pending.set(area, setTimeout(function () { sendWip(area); }, 600));
    refresh(area);
  }
  function flush() {
    var sends = [];
    pending.forEach(function (timer, area) { clearTimeout(timer); sends.push(sendWip(area)); });
    return Promise.all(sends);
  }
  window.addEventListener("beforeunload", function (e) {
    if (pending.size || inflight) { e.preventDefault(); e.returnValue = ""; }
  });

  // --- actions in place --------------------------------------------------------------------------------
  function show(message, category) {
    live.textContent = "";
    var p = document.createElement("p");
    p.className = "flash " + category;
    p.textContent = message;
    live.appendChild(p);
  }
  function summary(s) {
    var status = document.getElementById("draft-status");
    status.textContent = s.status;
    status.className = "badge status-" + s.status;
    document.getElementById("draft-progress").textContent = s.approved + " / " + s.total;
    var bar = document.getElementById("draft-bar");
    bar.max = s.total; bar.value = s.approved;
    document.getElementById("draft-open").textContent = String(s.open);
  }
  function setup(seg) {
    var area = areaOf(seg);
    if (area) { refresh(area); }
  }
  function act(value, seg) {
    var data = new FormData(form);
    data.set("do", value);
    var pieces = value.split(":");
    var action = pieces[0];
    // This segment's text goes with the action; the others were autosaved (and are kept by the server too).
    return flush().then(function () {
      return fetch(form.action, {
        method: "POST", body: data, credentials: "same-origin",
        headers: { "Accept": "application/json", "X-CSRF-Token": token }
      });
    }).then(function (r) {
      if (!r.ok) { throw new Error(String(r.status)); }
      return r.json();
    }).then(function (reply) {
      show(reply.message, reply.category);
      summary(reply.summary);
      var typedText = areaOf(seg) ? areaOf(seg).value : null;
      if (reply.html) {
        var box = document.createElement("div");
        box.innerHTML = reply.html;
        var fresh = box.querySelector("article.seg");
        fresh.dataset.next = seg.dataset.next;
        seg.replaceWith(fresh);
        seg = fresh;
        setup(seg);
        if (reply.category === "error" && typedText !== null && areaOf(seg).value !== typedText) {
          areaOf(seg).value = typedText;  // a refused save keeps what was typed on screen as well
          refresh(areaOf(seg));
        }
      }
      var target = seg;
      if (action === "next" && reply.category !== "error") {
        target = document.getElementById("seg-" + reply.focus) || seg;
      }
      var area = areaOf(target);
      if (area && (action === "next" || action === "save" || action === "approve" || action === "use")) {
        area.focus();
      }
      current = target;
    }).catch(function (err) {
      show("That did not work (" + err.message + "); nothing typed is lost — try again.", "error");
    });
  }

  form.addEventListener("submit", function (e) {
    var button = e.submitter;
    if (!button || !button.name || button.name !== "do") { return; }
    var seg = segOf(button);
    if (!seg) { return; }
    e.preventDefault();
    if (button.hasAttribute("data-use")) {
      useSuggestion(seg, button.closest(".sug"));
      return;
    }
    act(button.value, seg);
  });
  form.addEventListener("input", function (e) {
    if (e.target.matches(".editor textarea")) { typed(e.target); }
  });
  form.addEventListener("focusin", function (e) {
    var seg = segOf(e.target);
    if (seg) { current = seg; }
  });
  form.addEventListener("keydown", function (e) {
    // Enter in a dismissal reason dismisses that warning (not the form's first button).
    if (e.key === "Enter" && e.target.matches(".dismiss input")) {
      e.preventDefault();
      e.target.parentNode.querySelector("button").click();
    }
  });
  form.addEventListener("click", function (e) {
    var chip = e.target.closest("button.ph[data-insert]");
    if (chip) { insert(areaOf(segOf(chip)), chip.dataset.insert); return; }
    var copy = e.target.closest("[data-copy-source]");
    if (copy) { copySource(segOf(copy)); }
  });

  function insert(area, text) {
    if (!area) { return; }
    area.focus();
    area.setRangeText(text, area.selectionStart, area.selectionEnd, "end");
    typed(area);
  }
  function copySource(seg) {
    var area = areaOf(seg);
    area.value = seg.querySelector(".source .text").dataset.source;
    area.focus();
    typed(area);
  }
  function useSuggestion(seg, sug) {
    var area = areaOf(seg);
    if (!sug || !area) { return; }
    area.value = sug.dataset.template;
    area.focus();
    typed(area);
  }
  function nextMissing(seg) {
    var area = areaOf(seg);
    var n = Number(seg.dataset.placeholders || 0);
    for (var i = 1; i <= n; i++) {
      if (area.value.indexOf("⟦" + i + "⟧") < 0) { insert(area, "⟦" + i + "⟧"); return; }
    }
  }
  function move(step) {
    var all = Array.prototype.slice.call(form.querySelectorAll("article.seg"));
    var i = all.indexOf(current);
    var target = all[Math.min(all.length - 1, Math.max(0, i + step))];
    if (target) { current = target; areaOf(target).focus(); target.scrollIntoView({ block: "nearest" }); }
  }

  document.addEventListener("keydown", function (e) {
    var seg = current || segOf(document.activeElement);
    var ctrl = e.ctrlKey || e.metaKey;
    var run = null;
    if (ctrl && !e.altKey && e.key.toLowerCase() === "s") {
      run = function () { act("save:" + seg.dataset.segment, seg); };
    } else if (ctrl && e.key === "Enter") {
      var value = (e.shiftKey ? "approve:" : "next:") + seg.dataset.segment;
      run = function () { act(value, seg); };
    } else if (e.altKey && !ctrl && (e.key === "ArrowDown" || e.key === "PageDown")) {
      run = function () { move(1); };
    } else if (e.altKey && !ctrl && (e.key === "ArrowUp" || e.key === "PageUp")) {
      run = function () { move(-1); };
    } else if (e.altKey && !ctrl && e.code === "KeyC") {
      run = function () { copySource(seg); };
    } else if (e.altKey && !ctrl && e.code === "KeyT") {
      run = function () { nextMissing(seg); };
    } else if (e.altKey && !ctrl && /^Digit[1-9]$/.test(e.code)) {
      var n = Number(e.code.slice(5));
      run = function () { useSuggestion(seg, seg.querySelectorAll(".sug")[n - 1]); };
    }
    if (run && (seg || e.key === "ArrowDown" || e.key === "PageDown")) {
      e.preventDefault();
      if (!seg) { current = form.querySelector("article.seg"); }
      run();
    }
  });

  form.querySelectorAll("article.seg").forEach(setup);
  var hash = decodeURIComponent(location.hash.slice(1));
  current = (hash && document.getElementById(hash)) || form.querySelector("article.seg");
})();
