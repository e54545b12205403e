// Small helpers only; every page works without them.
"use strict";
(function () {
  // Live length counter: the server counts with pipeline.social.lengths, so the number is the platform's own.
  function counter(area) {
    var out = document.getElementById(area.getAttribute("aria-describedby"));
    var preview = document.getElementById(area.dataset.preview);
    var form = area.form;
    var token = form.querySelector("input[name=csrf_token]").value;
    var timer = null;
    var seq = 0;
    function update() {
      var mine = ++seq;
      fetch(area.dataset.lengthUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": token },
        body: JSON.stringify({
          platform: area.dataset.platform,
          account: area.dataset.account,
          lang: area.dataset.lang || "",
          thread: !!(thread && thread.checked),
          text: area.value
        }),
        credentials: "same-origin"
      }).then(function (r) { return r.json(); }).then(function (m) {
        if (mine !== seq || m.error) { return; }
        out.querySelector(".count").textContent = String(m.length);
        var bytes = out.querySelector(".bytes");
        if (bytes) { bytes.textContent = String(m.bytes); }
        out.querySelector(".verdict").textContent = m.fits ? "" : (m.thread_error ? " — " + m.thread_error : " — too long");
        var parts = out.querySelector(".parts");
        if (parts) { parts.textContent = m.parts ? " · a thread of " + m.parts + " posts" : ""; }
        out.classList.toggle("over", !m.fits);
        if (preview && m.preview) { showPreview(m.preview); }
      }).catch(function () { /* the server re-checks on save */ });
      if (preview) { preview.textContent = area.value; }
    }
    // The post as the platform shows it (links shortened its way), from the server's answer.
    function showPreview(spans) {
      preview.textContent = "";
      spans.forEach(function (s) {
        var node;
        if (s.kind === "link") { node = document.createElement("a"); node.className = "pv-link"; node.title = s.href; }
        else if (s.kind === "tag") { node = document.createElement("span"); node.className = "pv-tag"; }
        else { node = document.createTextNode(s.text); preview.appendChild(node); return; }
        node.textContent = s.text;
        preview.appendChild(node);
      });
    }
    var thread = document.getElementById("thread");
    if (thread) { thread.addEventListener("change", update); }
    area.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(update, 150);
    });
    // Text typed before this deferred script ran, or restored by the browser on Back, fired no input event here.
    if (area.value !== area.defaultValue) { update(); }
  }
  document.querySelectorAll("textarea[data-length-url]").forEach(counter);
})();
