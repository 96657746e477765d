// The page's memory in the browser (see memory.py): who this page is, so that a reload comes
// back as the same page and person without asking again. The tab keeps its own page id, name
// and the link's name it came with (sessionStorage: two tabs are two pages); the device keeps
// the last name and the page id it had under each name (localStorage: the link opened again
// later, in a new tab).

const MAX_NAMES = 20; // page ids kept per device and session, the most recent

function read(storage, key) {
  try {
    const value = JSON.parse(storage?.getItem(key) ?? "null");
    return value !== null && typeof value === "object" && !Array.isArray(value) ? value : null;
  } catch {
    return null; // storage refused (a private window) or garbled: remember nothing
  }
}

function write(storage, key, value) {
  try {
    storage?.setItem(key, JSON.stringify(value));
  } catch {
    // No storage: the page asks again after a reload, nothing worse.
  }
}

function render({ model, el }) {
  el.classList.add("codev-page-memory");
  const key = model.get("key");
  const tab = globalThis.sessionStorage;
  const device = globalThis.localStorage;

  function keep() {
    const kept = model.get("kept");
    if (!key || !kept || typeof kept.page !== "string") return;
    const name = typeof kept.name === "string" ? kept.name : null;
    write(tab, key, kept);
    const known = read(device, key) ?? {};
    const pages = known.pages && typeof known.pages === "object" ? { ...known.pages } : {};
    if (name !== null) {
      delete pages[name]; // re-added last: the most recent names are the ones kept
      pages[name] = kept.page;
    }
    const names = Object.keys(pages);
    for (const old of names.slice(0, Math.max(0, names.length - MAX_NAMES))) delete pages[old];
    write(device, key, { name, pages });
  }
  model.on("change:kept", keep);

  // Tell the kernel what this browser remembers, as stored; it checks every value.
  model.send({
    type: "recall",
    tab: key ? read(tab, key) : null,
    device: key ? read(device, key) : null,
  });
  keep();
  return () => model.off("change:kept", keep);
}

export default { render };
