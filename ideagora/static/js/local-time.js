// show each <time data-local> in the viewer's own time zone; the UTC text stays as its title
(function () {
  "use strict";

  // dateStyle and timeStyle cannot be combined with timeZoneName: name each part instead
  var format = new Intl.DateTimeFormat(undefined, {
    year: "numeric",
    month: "long",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    timeZoneName: "short",
  });

  function localise(element) {
    var moment = new Date(element.getAttribute("datetime"));
    if (isNaN(moment.getTime())) {
      return;
    }
    element.title = element.textContent.trim();
    element.textContent = format.format(moment);
    element.setAttribute("data-local", "shown");
  }

  function localiseAll() {
    document.querySelectorAll("time[data-local]:not([data-local='shown'])").forEach(localise);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", localiseAll);
  } else {
    localiseAll();
  }
})();
