/* Typing in the grade book grid like in a spreadsheet. The page works without this file (it
 * is a plain form that posts the whole grid); this only makes typing faster:
 *   Tab / Shift+Tab   next / previous cell in the row (the browser's own order)
 *   Enter / Shift+Enter, ArrowDown / ArrowUp   the cell below / above
 *   paste             several lines fill down the column, tabs fill across (a block copied
 *                     from a spreadsheet); a single value pastes normally
 *   Ctrl+S            save
 * It also marks changed cells, warns before leaving with unsaved changes, and asks before
 * publishing a column (guardians are notified). */
(function () {
  "use strict";
  var form = document.getElementById("grid-form");
  var table = document.getElementById("gradebook");
  if (!form || !table || !table.tBodies.length) return;

  var grid = Array.prototype.map.call(table.tBodies[0].rows, function (row) {
    return Array.prototype.slice.call(row.querySelectorAll(".grid-cell, .comment-cell"));
  }).filter(function (cells) { return cells.length; });

  function position(el) {
    for (var r = 0; r < grid.length; r++) {
      var c = grid[r].indexOf(el);
      if (c >= 0) return { row: r, col: c };
    }
    return null;
  }

  function at(row, col) {
    return grid[row] ? grid[row][col] || null : null;
  }

  function go(target) {
    if (!target) return;
    target.focus();
    if (typeof target.select === "function") target.select();
  }

  function initial(el) {
    if (el.tagName !== "SELECT") return el.defaultValue;
    var chosen = Array.prototype.filter.call(el.options, function (o) { return o.defaultSelected; })[0];
    return chosen ? chosen.value : (el.options.length ? el.options[0].value : "");
  }

  function changed(el) {
    el.classList.toggle("changed", el.value !== initial(el));
  }

  function dirty() {
    return table.querySelector(".changed") !== null;
  }

  table.addEventListener("keydown", function (event) {
    var el = event.target;
    var pos = position(el);
    if (!pos) return;
    var step = 0;
    if (event.key === "Enter" && el.tagName !== "TEXTAREA") step = event.shiftKey ? -1 : 1;
    else if (event.key === "ArrowDown" && el.tagName === "INPUT") step = 1;
    else if (event.key === "ArrowUp" && el.tagName === "INPUT") step = -1;
    if (!step) return;
    event.preventDefault(); // Enter must not submit the form half-typed
    go(at(pos.row + step, pos.col));
  });

  table.addEventListener("paste", function (event) {
    var el = event.target;
    var pos = position(el);
    if (!pos || el.tagName !== "INPUT") return;
    var data = event.clipboardData || window.clipboardData;
    var text = data ? data.getData("text") : "";
    text = text.replace(/\r\n?/g, "\n").replace(/\n+$/, "");
    if (!/[\t\n]/.test(text)) return; // one value: the browser pastes it
    event.preventDefault();
    text.split("\n").forEach(function (line, i) {
      line.split("\t").forEach(function (value, j) {
        var target = at(pos.row + i, pos.col + j);
        if (target && target.tagName === "INPUT") {
          target.value = value.trim();
          changed(target);
        }
      });
    });
  });

  table.addEventListener("input", function (event) {
    if (position(event.target)) changed(event.target);
  });
  table.addEventListener("change", function (event) {
    if (position(event.target)) changed(event.target);
  });

  var submitting = false;
  form.addEventListener("submit", function () { submitting = true; });
  window.addEventListener("beforeunload", function (event) {
    if (!submitting && dirty()) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  document.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && (event.key === "s" || event.key === "S")) {
      event.preventDefault();
      submitting = true;
      if (typeof form.requestSubmit === "function") form.requestSubmit();
      else form.submit();
    }
  });

  Array.prototype.forEach.call(document.querySelectorAll("button[data-publish]"), function (button) {
    button.addEventListener("click", function (event) {
      if (dirty()) {
        event.preventDefault();
        window.alert(form.dataset.unsaved);
        return;
      }
      if (!window.confirm(form.dataset.publishConfirm)) event.preventDefault();
      else submitting = true;
    });
  });
})();
