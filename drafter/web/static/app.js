// drafter's pages: drag-and-drop upload with progress, copy buttons, extra data rows, busy notes.
(function () {
  "use strict";

  // Copy a search hit's text (clipboard API on 127.0.0.1; a hidden textarea elsewhere).
  document.querySelectorAll("button.copy").forEach(function (btn) {
    btn.addEventListener("click", function () {
      var text = btn.getAttribute("data-copy");
      var done = function () { btn.textContent = "已复制"; setTimeout(function () { btn.textContent = "复制这段"; }, 1500); };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, function () { fallback(text); done(); });
      } else { fallback(text); done(); }
    });
  });
  function fallback(text) {
    var area = document.createElement("textarea");
    area.value = text; document.body.appendChild(area); area.select();
    try { document.execCommand("copy"); } catch (e) { /* nothing more to try */ }
    document.body.removeChild(area);
  }

  // One more empty 数据 row: a copy of the last row with the next number in its names.
  document.querySelectorAll("button.add-row").forEach(function (btn) {
    btn.addEventListener("click", function () {
      var body = btn.parentNode.querySelector("table.rows tbody");
      var last = body.querySelector("tr.row:last-child");
      var n = body.querySelectorAll("tr.row").length + 1;
      var row = last.cloneNode(true);
      row.querySelectorAll(".field-error").forEach(function (e) { e.remove(); });
      row.querySelectorAll("td").forEach(function (td) { td.classList.remove("bad"); });
      row.querySelectorAll("input").forEach(function (input) {
        input.name = input.name.replace(/\[\d+\]/, "[" + n + "]");
        input.value = "";
      });
      body.appendChild(row);
    });
  });

  // Long-running forms: say that something is happening.
  document.querySelectorAll("form").forEach(function (form) {
    form.addEventListener("submit", function () {
      var busy = form.querySelector(".busy");
      if (busy) { busy.hidden = false; }
    });
  });

  // 我的资料库: files dropped or chosen are sent one by one to /api/ingest; the index is
  // rebuilt once, with the last file.
  var drop = document.getElementById("drop");
  if (!drop) { return; }
  var input = document.getElementById("drop-input");
  var box = document.getElementById("drop-progress");
  var bar = box.querySelector(".bar");
  var label = box.querySelector(".label");
  var log = document.getElementById("drop-log");

  ["dragenter", "dragover"].forEach(function (t) {
    drop.addEventListener(t, function (e) { e.preventDefault(); drop.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (t) {
    drop.addEventListener(t, function (e) { e.preventDefault(); drop.classList.remove("over"); });
  });
  drop.addEventListener("drop", function (e) {
    var items = e.dataTransfer.items;
    var entries = [];
    for (var i = 0; items && i < items.length; i++) {
      var entry = items[i].webkitGetAsEntry && items[i].webkitGetAsEntry();
      if (entry) { entries.push(entry); }
    }
    if (!entries.length) { upload(Array.prototype.slice.call(e.dataTransfer.files)); return; }
    var files = [];
    Promise.all(entries.map(function (en) { return walk(en, files); })).then(function () { upload(files); });
  });
  [input, document.getElementById("folder-input")].forEach(function (picker) {
    picker.addEventListener("change", function () { upload(Array.prototype.slice.call(picker.files)); picker.value = ""; });
  });

  // A dropped folder: every file in it and its subfolders (the server names and skips the
  // files that are not reports, as `drafter ingest 文件夹/` does).
  function walk(entry, out) {
    if (entry.isFile) {
      return new Promise(function (resolve) { entry.file(function (f) { out.push(f); resolve(); }, resolve); });
    }
    var reader = entry.createReader();
    return new Promise(function (resolve) {
      var batch = function () {
        reader.readEntries(function (list) {
          if (!list.length) { resolve(); return; }
          Promise.all(list.map(function (en) { return walk(en, out); })).then(batch);
        }, resolve);
      };
      batch();
    });
  }

  function say(text, cls) {
    var li = document.createElement("li");
    li.textContent = text; li.className = cls || "";
    log.appendChild(li);
  }

  function upload(files) {
    if (!files.length) { return; }
    box.hidden = false;
    var done = 0, changed = false;
    var next = function () {
      if (done === files.length) {
        label.textContent = "完成：" + files.length + " 个文件";
        if (changed) { say("资料库已更新，正在刷新列表……", "ok"); setTimeout(function () { location.reload(); }, 1200); }
        return;
      }
      var file = files[done];
      var last = done === files.length - 1;
      var data = new FormData();
      data.append("file", file, file.name);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", "/api/ingest" + (last ? "" : "?index=0"));
      xhr.upload.onprogress = function (e) {
        var part = e.lengthComputable ? e.loaded / e.total : 0;
        show(done + part * 0.5, file.name + "：上传中");
      };
      xhr.upload.onload = function () { show(done + 0.5, file.name + "：正在读取" + (last ? "并更新检索索引" : "")); };
      xhr.onload = function () {
        var out = null;
        try { out = JSON.parse(xhr.responseText); } catch (e) { out = null; }
        if (!out) { say(file.name + "：服务器没有给出结果（" + xhr.status + "）", "bad"); }
        else if (out.error) { say(file.name + "：" + out.error, "bad"); }
        else {
          (out.failed || []).forEach(function (f) { say("失败：" + f.file + "：" + f.reason, "bad"); });
          (out.skipped || []).forEach(function (f) { say("跳过：" + f.file + "：" + f.reason); });
          if (out.added.length) { say("新加入：" + file.name, "ok"); changed = true; }
          if (out.replaced.length) { say("已更新：" + file.name, "ok"); changed = true; }
          if (out.unchanged.length) { say("未变化（已在资料库中）：" + file.name); }
          if (out.index_error) { say("检索索引：" + out.index_error, "bad"); }
        }
        done += 1; show(done, ""); next();
      };
      xhr.onerror = function () { say(file.name + "：上传失败（连接中断）", "bad"); done += 1; next(); };
      xhr.send(data);
    };
    function show(value, text) {
      bar.style.width = Math.round(100 * value / files.length) + "%";
      label.textContent = "第 " + Math.min(done + 1, files.length) + " / " + files.length + " 个" + (text ? "　" + text : "");
    }
    next();
  }
})();
