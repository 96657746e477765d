// The page's memory in the browser (see memory.py): who this page is, kept in localStorage
// under the session's key, so that a reload of the same tab (or the same device later)
// comes back as the same page and person without asking again.

function read(key) {
  try {
    const value = JSON.parse(globalThis.localStorage?.getItem(key) ?? "null");
    return value !== null && typeof value === "object" ? value : {};
  } catch {
    return {}; // storage refused (a private window) or garbled: remember nothing
  }
}

function write(key, kept) {
  try {
    globalThis.localStorage?.setItem(key, JSON.stringify(kept));
  } catch {
    // No storage: the page asks again after a reload, nothing worse.
  }
}

function render({ model, el }) {
  el.classList.add("codev-page-memory");
  const key = model.get("key");
  function keep() {
    const kept = model.get("kept");
    if (key && kept && typeof kept.page === "string") write(key, kept);
  }
  model.on("change:kept", keep);
  // Tell the kernel what this browser remembers (strings or null, checked there).
  const { page = null, name = null } = key ? read(key) : {};
  model.send({
    type: "recall",
    page: typeof page === "string" ? page : null,
    name: typeof name === "string" ? name : null,
  });
  keep();
  return () => model.off("change:kept", keep);
}

export default { render };
