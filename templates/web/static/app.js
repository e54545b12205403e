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
        body: JSON.stringify({ platform: area.dataset.platform, account: area.dataset.account, text: area.value }),
        credentials: "same-origin"
      }).then(function (r) { return r.json(); }).then(function (m) {
        if (mine !== seq || m.error) { return; }
        out.querySelector(".count").textContent = String(m.length);
        var bytes = out.querySelector(".bytes");
        if (bytes) { bytes.textContent = String(m.bytes); }
        out.querySelector(".verdict").textContent = m.fits ? "" : " — too long";
        out.classList.toggle("over", !m.fits);
      }).catch(function () { /* the server re-checks on save */ });
      if (preview) { preview.textContent = area.value; }
    }
    area.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(update, 150);
    });
    // Text typed before this deferred script ran, or restored by the browser on Back, fired no input event here.
    if (area.value !== area.defaultValue) { update(); }
  }
  document.querySelectorAll("textarea[data-length-url]").forEach(counter);
})();
