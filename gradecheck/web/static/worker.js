// gradecheck's worker: Pyodide and gradecheck run here, so the page stays responsive and can show progress.
// Everything is loaded from the address that served the page (Pyodide from pyodide/, wheels from wheels/);
// the files to check arrive as bytes in a message and are written to Pyodide's in-memory file system.
// A module worker: Pyodide's classic-worker probe (importScripts of a data: URL) would be a refusal of the page's
// Content-Security-Policy in the console.
import {loadPyodide} from "./pyodide/pyodide.mjs";

const here = (path) => new URL(path, self.location.href).href;
let pyodide = null;
let page = null;
let runs = 0;

async function start() {
  // Seconds each step took, for the page's "Ready" line and the benchmark (benchmarks/web.py).
  const steps = {};
  let mark = performance.now();
  const step = (name) => { const now = performance.now(); steps[name] = (now - mark) / 1000; mark = now; };
  const site = await (await fetch(here("site.json"))).json();
  postMessage({type: "status", text: `Starting Python (Pyodide ${site.pyodide})…`});
  pyodide = await loadPyodide({
    indexURL: here("pyodide/"),
    packageBaseUrl: here("pyodide/"),
    stdout: (line) => console.log(line),
    stderr: (line) => console.warn(line),
  });
  step("pyodide");
  postMessage({type: "status", text: `Loading gradecheck ${site.gradecheck}…`});
  await pyodide.loadPackage(site.wheels.map((name) => here("wheels/" + name)),
                            {messageCallback: () => {}, errorCallback: (m) => console.warn(m), checkIntegrity: false});
  step("wheels");
  page = pyodide.pyimport("gradecheck.web.page");
  step("import");
  const options = JSON.parse(page.options());
  step("rules");
  const seconds = Object.values(steps).reduce((a, b) => a + b, 0);
  postMessage({type: "ready", options, seconds, steps});
}

const started = start().catch((err) => {
  postMessage({type: "failed", text: `Python could not start: ${err && err.message ? err.message : err}`});
  throw err;
});

function check(request) {
  const directory = `/checks/${++runs}`;
  pyodide.FS.mkdirTree(directory);
  const names = [];
  try {
    for (const file of request.files) {
      pyodide.FS.writeFile(`${directory}/${file.name}`, new Uint8Array(file.data));
      names.push(file.name);
    }
    let last = 0;
    const progress = (records, done, files, estimate) => {
      const now = performance.now();
      if (now - last < 100) return;
      last = now;
      postMessage({type: "progress", records, done, files, estimate});
    };
    const began = performance.now();
    const text = page.run(directory, names, request.select, request.ignore, request.failOn, request.profile, progress);
    const result = JSON.parse(text);
    result.seconds = (performance.now() - began) / 1000;
    postMessage({type: "result", result});
  } finally {
    for (const name of names) {
      try { pyodide.FS.unlink(`${directory}/${name}`); } catch (err) { /* already gone */ }
    }
    try { pyodide.FS.rmdir(directory); } catch (err) { /* not empty: leave it */ }
  }
}

onmessage = async (event) => {
  try {
    await started;
    if (event.data.type === "check") check(event.data);
    if (event.data.type === "export") {
      postMessage({type: "export", format: event.data.format, text: page.export(event.data.format)});
    }
  } catch (err) {
    postMessage({type: "failed", text: `gradecheck stopped: ${err && err.message ? err.message : err}`});
  }
};
