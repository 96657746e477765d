"""Chromium pages on a Voilà server: open one until a selector shows, record title changes."""

from __future__ import annotations

import time

from playwright.sync_api import Browser, Page

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
LOAD_TIMEOUT_MS = 90_000

# One clock for every page of the browser: the system's, through timeOrigin + now().
NOW = "performance.timeOrigin + performance.now()"

# Records [time, text] each time the step title's text changes (not when it is re-set to the
# same text, as a participant's "synced" refresh does).
# The header's content is replaced at each change, so the header is observed, not the title.
RECORD_TITLES = f"""() => {{
    const header = document.querySelector('.codev-step-header');
    const title = () => header.querySelector('.codev-step-title').textContent;
    const changes = window.__codevTitles = [];
    let last = title();
    new MutationObserver(() => {{
        const at = {NOW};
        if (title() !== last) {{
            last = title();
            changes.push([at, last.trim()]);
        }}
    }}).observe(header, {{childList: true, characterData: true, subtree: true}});
}}"""

# Clicks an element from inside the page, stamping the time just before the click.
STAMPED_CLICK = f"""selector => {{
    const button = document.querySelector(selector);
    const at = {NOW};
    button.click();
    return at;
}}"""

# Seconds before the first read of the recorded changes, then between reads.
FIRST_READ, READ_EVERY = 0.3, 0.1

TITLE_AFTER = "after => window.__codevTitles.find(c => c[0] >= after)"


# The kernel messages that reach a page for its widgets: what a step change costs it.
COMM_TYPES = (b'"msg_type": "comm_msg"', b'"msg_type": "comm_open"', b'"msg_type": "comm_close"')
COMM_TYPES_TIGHT = tuple(kind.replace(b": ", b":") for kind in COMM_TYPES)


class CommCount:
    """Widget messages (comm_msg, comm_open, comm_close) a page received on its websockets,
    counted from the frames themselves (Voilà's kernel protocol: JSON, or JSON parts in a
    binary frame), whatever the page's widgets make of them."""

    def __init__(self, page: Page) -> None:
        self.received = 0
        page.on("websocket", lambda socket: socket.on("framereceived", self._frame))

    def _frame(self, payload: str | bytes) -> None:
        data = payload.encode() if isinstance(payload, str) else payload
        header = data[:600]  # the header comes first: never scan a large state
        if any(kind in header for kind in COMM_TYPES + COMM_TYPES_TIGHT):
            self.received += 1


COMMS: dict[Page, CommCount] = {}


def open_page(
    browser: Browser, url: str, selector: str, width: int | None = None
) -> tuple[Page, float]:
    """A new page (in a context of its own: a device of its own) and its seconds to ready.

    Ready: from ``goto`` until ``selector`` is visible. Its widget messages are counted from
    the start (``COMMS[page].received``). ``width``: a phone's viewport (px), 844 px high.
    """
    viewport = {"width": width, "height": 844} if width else None
    page = browser.new_context(**({"viewport": viewport} if viewport else {})).new_page()
    COMMS[page] = CommCount(page)
    start = time.perf_counter()
    page.goto(url, wait_until="commit", timeout=LOAD_TIMEOUT_MS)
    page.wait_for_selector(selector, state="visible", timeout=LOAD_TIMEOUT_MS)
    return page, time.perf_counter() - start


def open_burst(
    browser: Browser, urls: list[str], selector: str, timeout: float
) -> tuple[list[Page], list[float | None]]:
    """Pages opened all at once (a room joining), each in its own context.

    Returns the pages and, for each, the seconds from the first ``goto`` until ``selector``
    showed (None: not within ``timeout``); checked every 0.2 s.
    """
    pages = [browser.new_context().new_page() for _ in urls]
    start = time.perf_counter()
    for page, url in zip(pages, urls, strict=True):
        page.goto(url, wait_until="commit", timeout=LOAD_TIMEOUT_MS)
    ready: list[float | None] = [None] * len(pages)
    while None in ready and time.perf_counter() - start < timeout:
        for number, page in enumerate(pages):
            if ready[number] is None and page.locator(selector).first.is_visible():
                ready[number] = time.perf_counter() - start
        time.sleep(0.2)
    return pages, ready


def close_page(page: Page, unload: bool = True) -> None:
    """Close like a browser tab (unload: Voilà's shutdown beacon) or drop it like a phone."""
    if unload:
        page.close(run_before_unload=True)
        deadline = time.monotonic() + 10
        while not page.is_closed() and time.monotonic() < deadline:
            time.sleep(0.05)
    page.context.close()


def title_changes(
    pages: list[Page], after: float, timeout: float
) -> list[tuple[float, str] | None]:
    """Each page's first recorded ``(time, text)`` title change at or after ``after``.

    Read after the fact from what each page recorded, not waited for: ``wait_for_function``
    polls on every animation frame of the page it waits on, and 17 pages polling would compete
    for the CPU with the very updates being timed. The times are the pages' own (their
    MutationObserver's), so reading late does not change them. None: no such change within
    ``timeout`` seconds.
    """
    found: list[tuple[float, str] | None] = [None] * len(pages)
    deadline = time.monotonic() + timeout
    time.sleep(FIRST_READ)
    while True:
        for number, page in enumerate(pages):
            if found[number] is None:
                change = page.evaluate(TITLE_AFTER, after)
                found[number] = None if change is None else (change[0], change[1])
        if None not in found or time.monotonic() > deadline:
            return found
        time.sleep(READ_EVERY)
