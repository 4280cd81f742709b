// Data tables read as one card per row on narrow screens (fagnett.css, "Tables as cards"): every cell gets its
// column's title in data-label, which the CSS shows before the cell's content. Without this script the tables keep
// scrolling sideways in their .table-scroll box.
//
// The CSS turns the table's parts into blocks, and browsers then drop a table's roles. So the roles are written
// out here (table, rowgroup, row, columnheader, rowheader, cell): a screen reader still announces a table and each
// cell's column, and the visual label is generated content without alternative text, so it is not read twice.
(function () {
  "use strict";

  function headerTitles(table) {
    var head = table.tHead;
    if (!head || head.rows.length !== 1) {
      return null; // no header, or headers over several rows (grouped columns): keep scrolling
    }
    var titles = [];
    var cells = head.rows[0].cells;
    for (var i = 0; i < cells.length; i++) {
      if (cells[i].colSpan !== 1 || cells[i].rowSpan !== 1) {
        return null;
      }
      titles.push(cells[i].textContent.replace(/\s+/g, " ").trim());
    }
    return titles;
  }

  function setRole(element, role) {
    element.setAttribute("role", role);
  }

  function asCards(table) {
    if (table.hasAttribute("data-cards")) {
      return;
    }
    var titles = headerTitles(table);
    if (!titles) {
      return;
    }
    setRole(table, "table");
    setRole(table.tHead, "rowgroup");
    setRole(table.tHead.rows[0], "row");
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell) {
      setRole(cell, "columnheader");
    });
    var groups = Array.prototype.slice.call(table.tBodies);
    if (table.tFoot) {
      groups.push(table.tFoot);
    }
    groups.forEach(function (group) {
      setRole(group, "rowgroup");
      Array.prototype.forEach.call(group.rows, function (row) {
        setRole(row, "row");
        var column = 0;
        Array.prototype.forEach.call(row.cells, function (cell) {
          setRole(cell, cell.tagName === "TH" ? "rowheader" : "cell");
          // A cell across several columns (a "nothing found" row) has no one column to be named by.
          if (cell.colSpan === 1 && titles[column]) {
            cell.setAttribute("data-label", titles[column]);
          }
          column += cell.colSpan;
        });
      });
    });
    table.setAttribute("data-cards", "");
  }

  function labelTables(root) {
    var scope = root && root.querySelectorAll ? root : document;
    if (scope.matches && scope.matches("table.ds-table")) {
      asCards(scope);
    }
    Array.prototype.forEach.call(scope.querySelectorAll("table.ds-table"), asCards);
  }

  labelTables(document);
  // Lists filtered live put new tables in the page through htmx.
  document.addEventListener("htmx:load", function (event) {
    labelTables(event.target);
  });
})();
