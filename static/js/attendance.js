// The register: keep each row's colour and the totals above in step with the buttons, so the
// teacher sees "3 absent" before saving. The form works the same without it.
(function () {
  "use strict";
  var form = document.querySelector(".register-form");
  if (!form) return;
  function refresh() {
    var totals = {};
    form.querySelectorAll(".register > li[data-student]").forEach(function (row) {
      var checked = row.querySelector("input[type=radio]:checked");
      if (!checked) return;
      totals[checked.value] = (totals[checked.value] || 0) + 1;
      row.className = row.className.replace(/\bst-\w+/, "").trim() + " st-" + checked.value;
    });
    document.querySelectorAll("[data-count]").forEach(function (cell) {
      cell.textContent = totals[cell.getAttribute("data-count")] || 0;
    });
  }
  form.addEventListener("change", function (event) {
    if (event.target.type === "radio") refresh();
  });
})();
