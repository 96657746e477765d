// A file made in the kernel, downloaded by the browser as soon as it arrives (see download.py):
// the bytes come once, as a binary buffer, and become a Blob; a link to it starts the
// download and stays, for the person who wants the file again (or whose browser held it).

function render({ model, el }) {
  let url = null;

  function clear() {
    if (url !== null) URL.revokeObjectURL(url);
    url = null;
    el.replaceChildren();
  }

  function onMessage(msg, buffers) {
    if (msg?.type === "clear") {
      clear();
      return;
    }
    if (msg?.type !== "offer" || !buffers?.length) return;
    clear();
    url = URL.createObjectURL(new Blob([buffers[0]], { type: String(msg.media) }));
    const link = document.createElement("a");
    link.href = url;
    // Properties, not markup: a client's name in the file name stays text.
    link.download = String(msg.name);
    link.textContent = String(msg.label);
    el.append(link);
    // The person clicked the button for this file: its download starts without a second click.
    link.click();
  }

  model.on("msg:custom", onMessage);
  return () => {
    model.off("msg:custom", onMessage);
    clear();
  };
}

export default { render };
