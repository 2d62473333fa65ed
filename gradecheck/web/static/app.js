// gradecheck's page: choose files and options, hand them to the worker (worker.js), show its report.
// No data leaves the browser: files are read with the File API and posted to the worker, which checks them.
"use strict";

const $ = (id) => document.getElementById(id);
const state = {files: [], options: null, busy: false, urls: []};
// The last result, and how long starting took, for scripts that drive the page (tests, benchmarks).
window.gradecheck = {ready: null, result: null, error: null};

function setState(name, text) {
  document.body.dataset.state = name;
  if (text !== undefined) $("status").textContent = text;
}

function plural(n, word) {
  return `${n.toLocaleString("en-GB")} ${word}${n === 1 ? "" : "s"}`;
}

function size(bytes) {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

const worker = new Worker("worker.js", {type: "module"});

worker.onmessage = (event) => {
  const message = event.data;
  if (message.type === "status") {
    setState("loading", message.text);
  } else if (message.type === "ready") {
    state.options = message.options;
    // Seconds since the page was asked for (performance.now() counts from the navigation), and the worker's steps.
    window.gradecheck.ready = {seconds: performance.now() / 1000, worker: message.seconds, steps: message.steps};
    showOptions(message.options);
    setState("ready", `Ready (${message.seconds.toFixed(1)} s to start). Choose files to check.`);
    updateButton();
  } else if (message.type === "progress") {
    const bar = $("progress");
    bar.hidden = false;
    if (message.estimate > 0) {
      bar.max = message.estimate;
      bar.value = Math.min(message.records, message.estimate);
    } else {
      bar.removeAttribute("value");
    }
    setState("checking", `Checking: ${plural(message.records, "record")} read` +
      (message.estimate > 0 ? ` of about ${message.estimate.toLocaleString("en-GB")}` : "") +
      `, ${message.done} of ${plural(message.files, "file")} done…`);
  } else if (message.type === "result") {
    showResult(message.result);
  } else if (message.type === "export") {
    const link = $(`download-${message.format}`);
    offer(link, message.text, TYPES[message.format]);
    link.click();  // now with the file behind it: the download the person asked for
  } else if (message.type === "failed") {
    state.busy = false;
    window.gradecheck.error = message.text;
    setState("error", message.text);
    $("progress").hidden = true;
    updateButton();
  }
};

worker.onerror = (event) => {
  window.gradecheck.error = event.message || "the worker failed";
  setState("error", `gradecheck could not start: ${window.gradecheck.error}`);
};

function showOptions(options) {
  $("files").accept = options.suffixes.join(",");
  const text = options.suffixes.filter((s) => !options.workbooks.includes(s));
  $("formats").textContent = `Reads data files (${text.join(", ")}) and workbooks (${options.workbooks.join(", ")}). ` +
    "Each file is a dataset of its own; in a workbook each sheet is a table of its own.";
  const list = $("codes");
  const body = $("rules").tBodies[0];
  const families = new Set();
  for (const [code, severity, title] of options.rules) {
    families.add(code[0]);
    const row = body.insertRow();
    for (const text of [code, severity, title]) row.insertCell().textContent = text;
  }
  for (const code of [...families, ...options.rules.map((r) => r[0])]) {
    const option = document.createElement("option");
    option.value = code;
    list.append(option);
  }
  for (const [name, title] of options.profiles) {
    const option = document.createElement("option");
    option.value = name;
    option.textContent = `${name}: ${title}`;
    $("profile").append(option);
  }
}

function addFiles(files) {
  for (const file of files) {
    const same = state.files.findIndex((f) => f.name === file.name);
    if (same >= 0) state.files[same] = file; else state.files.push(file);
  }
  showFiles();
}

function showFiles() {
  const list = $("chosen");
  list.replaceChildren();
  state.files.forEach((file, index) => {
    const item = document.createElement("li");
    const name = document.createElement("span");
    name.textContent = file.name + " ";
    const bytes = document.createElement("span");
    bytes.className = "size";
    bytes.textContent = size(file.size);
    const remove = document.createElement("button");
    remove.type = "button";
    remove.textContent = "remove";
    remove.addEventListener("click", () => { state.files.splice(index, 1); showFiles(); });
    item.append(name, bytes, remove);
    list.append(item);
  });
  updateButton();
}

function updateButton() {
  $("check").disabled = !state.options || state.busy || state.files.length === 0;
}

async function check() {
  if (state.busy || !state.files.length) return;
  state.busy = true;
  updateButton();
  window.gradecheck.result = null;
  setState("checking", `Reading ${plural(state.files.length, "file")}…`);
  const bar = $("progress");
  bar.hidden = false;
  bar.removeAttribute("value");
  try {
    const files = [];
    for (const file of state.files) files.push({name: file.name, data: await file.arrayBuffer()});
    worker.postMessage({type: "check", files, select: $("select").value, ignore: $("ignore").value,
                        failOn: $("fail-on").value, profile: $("profile").value}, files.map((f) => f.data));
  } catch (err) {
    state.busy = false;
    setState("error", `The browser could not read a file: ${err.message || err}`);
    bar.hidden = true;
    updateButton();
  }
}

const TYPES = {csv: "text/csv;charset=utf-8", json: "application/json", html: "text/html;charset=utf-8"};

// A download link holds its file once it is made: the HTML report at once, the CSV and JSON reports when first
// asked for (the worker writes them then: the JSON report of a large run is megabytes).
function offer(link, text, type) {
  const url = URL.createObjectURL(new Blob([text], {type}));
  state.urls.push(url);
  link.href = url;
  link.dataset.ready = "1";
}

function withdraw(link) {
  link.href = "#";
  delete link.dataset.ready;
}

function download(event) {
  const link = event.currentTarget;
  if (link.dataset.ready) return;  // the browser saves the file
  event.preventDefault();
  worker.postMessage({type: "export", format: link.id.replace("download-", "")});
}

function showResult(result) {
  state.busy = false;
  $("progress").hidden = true;
  updateButton();
  for (const url of state.urls) URL.revokeObjectURL(url);
  state.urls = [];
  const messages = $("messages");
  messages.replaceChildren();
  window.gradecheck.result = result;
  if (result.error) {
    const line = document.createElement("p");
    line.textContent = result.error;
    messages.append(line);
    $("result").hidden = false;
    $("counts").textContent = "";
    $("downloads").hidden = true;
    $("report").hidden = true;
    setState("done", "gradecheck could not run with these files or options (see below).");
    return;
  }
  for (const text of result.messages) {
    const line = document.createElement("p");
    line.textContent = text;
    messages.append(line);
  }
  const s = result.summary;
  $("counts").textContent = `${plural(s.records, "record")} read, ${s.checked.toLocaleString("en-GB")} checked, ` +
    `${s.unreadable.toLocaleString("en-GB")} unreadable, ${plural(s.findings.error, "error")}, ` +
    `${plural(s.findings.warning, "warning")}, ${s.unknown.toLocaleString("en-GB")} unknown ` +
    `(exit code ${result.exit_code} on the command line).`;
  for (const [key, value] of Object.entries({records: s.records, checked: s.checked, unreadable: s.unreadable,
                                             errors: s.findings.error, warnings: s.findings.warning,
                                             unknown: s.unknown, exit: result.exit_code})) {
    $("counts").dataset[key] = value;
  }
  withdraw($("download-csv"));
  withdraw($("download-json"));
  offer($("download-html"), result.html, TYPES.html);
  $("downloads").hidden = false;
  const frame = $("report");
  frame.hidden = false;
  frame.onload = () => {  // as tall as the report, so the page scrolls once rather than a frame inside it
    const height = frame.contentDocument && frame.contentDocument.documentElement.scrollHeight;
    if (height) frame.style.height = `${height + 4}px`;
  };
  const url = URL.createObjectURL(new Blob([result.html], {type: "text/html;charset=utf-8"}));
  state.urls.push(url);
  frame.src = url;
  $("result").hidden = false;
  setState("done", `Checked ${plural(result.files.length, "file")} in ${result.seconds.toFixed(1)} s.`);
}

function wire() {
  $("files").addEventListener("change", (event) => { addFiles(event.target.files); event.target.value = ""; });
  const drop = $("drop");
  for (const name of ["dragenter", "dragover"]) {
    drop.addEventListener(name, (event) => { event.preventDefault(); drop.classList.add("over"); });
  }
  for (const name of ["dragleave", "drop"]) {
    drop.addEventListener(name, () => drop.classList.remove("over"));
  }
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    addFiles([...event.dataTransfer.files]);
  });
  // A file dropped outside the box must not make the browser open it in place of the page.
  window.addEventListener("dragover", (event) => event.preventDefault());
  window.addEventListener("drop", (event) => event.preventDefault());
  $("check").addEventListener("click", check);
  for (const id of ["download-csv", "download-json", "download-html"]) $(id).addEventListener("click", download);
}

wire();
