// Every page: choosing a language in the top bar submits its form at once (without script, the
// form's OK button does). A file, not an onchange attribute, so the pages run under a
// Content-Security-Policy that allows no inline script.
(function () {
  "use strict";
  document.querySelectorAll("form.lang select[name=language]").forEach(function (select) {
    select.addEventListener("change", function () {
      select.form.submit();
    });
  });
})();
