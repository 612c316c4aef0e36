/* Click a column header of a table.sortable to sort it in place (the links still work without JS). */
(function () {
  document.querySelectorAll("table.sortable").forEach(function (table) {
    table.querySelectorAll("th").forEach(function (th, column) {
      th.addEventListener("click", function (event) {
        event.preventDefault();
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        var dir = th.dataset.dir === "asc" ? -1 : 1;
        th.dataset.dir = dir === 1 ? "asc" : "desc";
        rows.sort(function (a, b) {
          var x = a.cells[column].textContent.trim(), y = b.cells[column].textContent.trim();
          return x.localeCompare(y, undefined, {numeric: true}) * dir;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });
})();
