// Keeps a job's progress bar up to date without a reload: reads GET /api/v1/jobs/{id}/ every
// second until the job succeeded or failed, then reloads the page once for its messages and
// result.
(function () {
  "use strict";
  var FINISHED = ["succeeded", "failed"];

  function text(job) {
    var state = job.state.charAt(0).toUpperCase() + job.state.slice(1);
    var count = job.total
      ? job.done.toLocaleString() + " of " + job.total.toLocaleString() + " (" + job.percent + " %)"
      : job.done.toLocaleString();
    return state + " · " + count;
  }

  function watch(box) {
    var bar = box.querySelector("progress");
    var label = box.querySelector(".job-progress-text");
    function poll() {
      fetch(box.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (job) {
          if (!job) { return; }
          bar.value = job.percent === null ? 0 : job.percent;
          label.textContent = text(job);
          if (FINISHED.indexOf(job.state) >= 0) {
            window.location.reload();
          } else {
            window.setTimeout(poll, 1000);
          }
        })
        .catch(function () { window.setTimeout(poll, 3000); });
    }
    if (FINISHED.indexOf(box.dataset.state) < 0) { window.setTimeout(poll, 1000); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".job-progress").forEach(watch);
  });
})();
