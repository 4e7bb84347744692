// screener review: filter the criteria by kind.  The page is complete without this script:
// it only shows the filter (hidden otherwise) and hides the rows whose criteria are all of unchecked kinds.
(function () {
  var filter = document.getElementById("filter");
  if (!filter) { return; }
  filter.hidden = false;
  function apply() {
    var shown = {};
    filter.querySelectorAll("input[name=kind]").forEach(function (box) { shown[box.value] = box.checked; });
    document.querySelectorAll("#text .row").forEach(function (row) {
      var kinds = row.dataset.kinds.split(" ").filter(Boolean);
      row.classList.toggle("filtered-out", kinds.length > 0 && !kinds.some(function (kind) { return shown[kind]; }));
    });
  }
  filter.addEventListener("change", apply);
})();
