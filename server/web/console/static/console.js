// Refreshes the dashboard's figures every 5 seconds, in place. The
// figures are drawn by the server (the same template as the page); this
// only fetches them. Nothing else on the console needs a script.
(function () {
  var live = document.getElementById("live");
  if (!live) return;
  var src = live.getAttribute("data-src");
  function refresh() {
    fetch(src, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { if (r.status === 401) { location.href = "/console/login"; } return r.ok ? r.text() : null; })
      .then(function (html) { if (html !== null) { live.innerHTML = html; } })
      .catch(function () {})
      .finally(function () { setTimeout(refresh, 5000); });
  }
  setTimeout(refresh, 5000);
})();
