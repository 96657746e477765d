// The editor's colour pickers, named for screen readers (see editor.py, ColourLabels):
// ipywidgets links a picker's label to its text box only, and leaves the swatch, the
// <input type="color"> itself, without a name.

function name(root) {
  for (const picker of root.querySelectorAll(".codev-editor .widget-colorpicker")) {
    const label = picker.querySelector("label")?.textContent?.trim();
    const swatch = picker.querySelector('input[type="color"]');
    if (label && swatch && swatch.getAttribute("aria-label") !== label) {
      swatch.setAttribute("aria-label", label);
    }
  }
}

function render({ el }) {
  el.classList.add("codev-colour-labels");
  // The pickers may be drawn after this widget: name them as they come.
  const observer = new MutationObserver(() => name(document));
  observer.observe(document.body, { childList: true, subtree: true });
  name(document);
  return () => observer.disconnect();
}

export default { render };
