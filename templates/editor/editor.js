/* sitrep edit: check the form as it is filled (POST /api/check, debounced), show each problem at its field */
(function () {
  "use strict";
  var token = document.body.getAttribute("data-token");
  var url = document.body.getAttribute("data-check");
  var entry = document.getElementById("entry");
  var form = entry && entry.querySelector("form");
  if (!form || !token || !url) { return; }
  var timer = null;
  function listFor(name) {
    var id = "f-" + name.replace(/[.@]/g, "-");  /* forms.field_id */
    var input = document.getElementById(id) || document.getElementById(id + "-set");
    var box = input && (input.closest(".field, fieldset") || input);
    if (!box) { return null; }
    var list = box.querySelector("ul.live-problems");
    if (!list) {
      list = document.createElement("ul");
      list.className = "problems live-problems";
      list.setAttribute("aria-live", "polite");
      box.appendChild(list);
    }
    return list;
  }
  function show(result) {
    document.querySelectorAll("ul.live-problems").forEach(function (list) { list.textContent = ""; });
    var other = document.getElementById("other-problems");
    if (other) { other.textContent = ""; }
    Object.keys(result.fields || {}).forEach(function (name) {
      var list = listFor(name) || other;
      if (!list) { return; }
      result.fields[name].forEach(function (text) {
        var item = document.createElement("li");
        item.textContent = text;
        list.appendChild(item);
      });
    });
    (result.other || []).forEach(function (text) {
      if (!other) { return; }
      var item = document.createElement("li");
      item.textContent = text;
      other.appendChild(item);
    });
  }
  function check() {
    var fields = {};
    new FormData(form).forEach(function (value, name) { fields[name] = String(value); });
    fetch(url, {method: "POST", headers: {"Content-Type": "application/json"},
                body: JSON.stringify({token: token, kind: entry.getAttribute("data-kind"),
                                      id: entry.getAttribute("data-id") || "",
                                      file: entry.getAttribute("data-file") || "", fields: fields})})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (result) { if (result) { show(result); } })
      .catch(function () { /* the server is gone: the save will say so */ });
  }
  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(check, 400);
  });
})();
