// What a person types, kept in the tab until the kernel has stored it (see keeper.py). The
// page's kernel may die under it: keystrokes then go nowhere and a reload starts an empty
// kernel. So every box marked "codev-keep codev-keep--BOX" is copied into sessionStorage as it
// is typed in (a reload keeps it, another tab does not see it), forgotten once the kernel
// says it stored that very text, and handed to the next kernel after a reload.

const QUIET_MS = 2_000; // a keystroke this long after the kernel's last word asks if it is there
const LOST_AFTER_MS = 8_000; // a question unanswered this long: the kernel is gone
// The kernel's status when it is gone: killed ("dead"), or restarted empty by the server
// ("restarting", "autorestarting"): this page's widgets are not in the new one.
const GONE = new Set(["dead", "restarting", "autorestarting"]);
const PREFIX = "codev-keep--";

/** The box a kept element stands for, from its "codev-keep--BOX" class; null if none. */
export function boxOf(classNames) {
  const found = [...classNames].find((name) => name.startsWith(PREFIX));
  return found === undefined ? null : found.slice(PREFIX.length);
}

/** The texts of stored entries ({box: {text, at}}), as sent to a new kernel: strings only. */
export function textsOf(entries) {
  const texts = {};
  for (const [box, entry] of Object.entries(entries ?? {})) {
    if (typeof entry?.text === "string") texts[box] = entry.text;
  }
  return texts;
}

function read(key) {
  try {
    const value = JSON.parse(globalThis.sessionStorage?.getItem(key) ?? "null");
    return value !== null && typeof value === "object" && !Array.isArray(value) ? value : {};
  } catch {
    return {}; // storage refused (a private window) or garbled: nothing kept
  }
}

function write(key, entries) {
  try {
    if (Object.keys(entries).length > 0) {
      globalThis.sessionStorage?.setItem(key, JSON.stringify(entries));
    } else {
      globalThis.sessionStorage?.removeItem(key);
    }
  } catch {
    // No storage: the text is still in the box and in the kernel, if it is there.
  }
}

function render({ model, el }) {
  el.classList.add("codev-keeper");
  const key = model.get("key");
  const entries = key ? read(key) : {};
  let lastAnswer = Date.now();
  let waiting = null; // the timeout waiting for an answer to a ping
  let gone = false; // the kernel's status said so: for good, until a reload
  let quiet = false; // a ping went unanswered: maybe only busy
  const lines = [];

  // Said under each box, in words a person reads where they type; text only, never HTML.
  function showLost() {
    const text = String(model.get("labels")?.lost ?? "");
    for (const box of document.querySelectorAll(".codev-keep")) {
      if (box.nextElementSibling?.classList.contains("codev-kept-lost")) continue;
      const line = document.createElement("div");
      line.className = "codev-kept-lost";
      line.setAttribute("role", "alert");
      line.textContent = text;
      box.after(line);
      lines.push(line);
    }
    // The countdown's banner offers the reload.
    document.dispatchEvent(new CustomEvent("codev-kernel-lost"));
  }

  function lost(forGood) {
    if (forGood) gone = true;
    else quiet = true;
    showLost();
  }

  function answered() {
    lastAnswer = Date.now();
    clearTimeout(waiting);
    waiting = null;
    if (quiet && !gone) {
      quiet = false; // only busy: the lines go
      for (const line of lines.splice(0)) line.remove();
    }
  }

  // A keystroke when the kernel has said nothing for a while: is it there? No websocket
  // close or status may reach the page (a kernel frozen, a proxy holding the socket).
  function ping() {
    if (waiting !== null || gone || Date.now() - lastAnswer < QUIET_MS) return;
    waiting = setTimeout(() => {
      waiting = null;
      lost(false);
    }, LOST_AFTER_MS);
    try {
      model.send({ type: "ping" });
    } catch {
      lost(true);
    }
  }

  function onInput(event) {
    const target = event.target;
    const kept = target?.closest?.(".codev-keep");
    if (!kept || typeof target.value !== "string") return;
    const box = boxOf(kept.classList);
    if (box === null) return;
    entries[box] = { text: target.value, at: Date.now() };
    if (key) write(key, entries);
    if (gone || quiet) showLost();
    ping();
  }

  function onMessage(msg) {
    answered();
    if (msg?.type !== "stored" || typeof msg.box !== "string") return;
    if (entries[msg.box]?.text === msg.text) {
      delete entries[msg.box]; // stored as it is now: typing since would have changed it
      if (key) write(key, entries);
    }
  }

  function onStatus(_kernel, status) {
    if (GONE.has(status)) lost(true);
  }

  function onConnection(_kernel, status) {
    if (status === "disconnected") lost(true); // the server gave up, or is gone
  }

  // Voilà's and JupyterLab's widget managers hold the kernel's connection.
  const kernel = model.widget_manager?.kernel;
  kernel?.statusChanged?.connect(onStatus);
  kernel?.connectionStatusChanged?.connect(onConnection);
  document.addEventListener("input", onInput, true);
  model.on("msg:custom", onMessage);

  // What the tab still holds from before a reload: the new kernel puts it back.
  try {
    model.send({ type: "kept", boxes: textsOf(entries) });
  } catch {
    // No kernel (a static export): nothing to give back to.
  }

  return () => {
    kernel?.statusChanged?.disconnect(onStatus);
    kernel?.connectionStatusChanged?.disconnect(onConnection);
    document.removeEventListener("input", onInput, true);
    model.off("msg:custom", onMessage);
    clearTimeout(waiting);
    for (const line of lines.splice(0)) line.remove();
  };
}

export default { render };
