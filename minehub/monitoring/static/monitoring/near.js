// "Use my location": fills the point form's coordinates from the browser and sends it.
// The form works without it. The position is rounded to about 100 m before it leaves
// the browser: enough for distances in kilometres, and it says less about the reader.
(function () {
  "use strict";
  var button = document.querySelector("[data-locate]");
  if (!button || !navigator.geolocation) return;
  var form = button.closest("form");
  var status = form.querySelector("[data-locate-status]");
  button.hidden = false;
  button.addEventListener("click", function () {
    status.textContent = button.dataset.locating;
    navigator.geolocation.getCurrentPosition(
      function (position) {
        form.elements.latitude.value = position.coords.latitude.toFixed(3);
        form.elements.longitude.value = position.coords.longitude.toFixed(3);
        status.textContent = "";
        form.submit();
      },
      function () {
        status.textContent = button.dataset.failed;
      },
      { enableHighAccuracy: false, timeout: 20000, maximumAge: 600000 }
    );
  });
})();
