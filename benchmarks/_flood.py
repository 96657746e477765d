"""One scripted participant page flooding the room: sends, hands and name changes as fast as
its browser can click, from a loop inside the page itself (so Playwright stays free to time
the step changes on the other pages)."""

from __future__ import annotations

from playwright.sync_api import Page

# Every few milliseconds: type a new text and send it, raise or lower the hand, "not you?",
# and choose a name (a roster's button, or a typed name). Each click is a widget message to
# the page's kernel, as a script replaying the page's own messages would send.
START_FLOOD = """() => {
    let n = 0;
    window.__codevFloodClicks = 0;
    const click = selector => {
        const element = document.querySelector(selector);
        if (element) { element.click(); window.__codevFloodClicks++; }
    };
    const type = (selector, text) => {
        const input = document.querySelector(selector);
        if (input) {
            input.value = text;
            input.dispatchEvent(new Event('input', {bubbles: true}));
            input.dispatchEvent(new Event('change', {bubbles: true}));
        }
    };
    window.__codevFlood = setInterval(() => {
        n++;
        type('.codev-contribution-input textarea, .codev-contribution-input input', `flood ${n}?`);
        click('.codev-contribution-submit');
        click('.codev-hand');
        click('.codev-change-name');
        click('.codev-who-name:not([disabled])');
        type('.codev-who-input input', `Flood ${n % 7}`);
        click('.codev-who-join');
    }, 2);
}"""

STOP_FLOOD = "() => { clearInterval(window.__codevFlood); return window.__codevFloodClicks; }"


def start_flood(page: Page) -> None:
    """Start the page's own click loop."""
    page.evaluate(START_FLOOD)


def stop_flood(page: Page) -> int:
    """Stop the loop; how many clicks it made."""
    return int(page.evaluate(STOP_FLOOD))
