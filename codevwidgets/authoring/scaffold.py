"""``codev runbook new``: a per-client runbook that extends a preset, with its options shown."""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, StrictUndefined

from codevwidgets.core.runbook import load_preset


def client_runbook(client: str, preset: str, language: str) -> str:
    """The YAML text of a new client runbook; every customisation is a commented example."""
    env = Environment(
        loader=PackageLoader("codevwidgets.authoring", "templates"),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,  # noqa: S701 — YAML, not HTML; values are quoted with tojson.
    )
    book = load_preset(preset)
    steps = [(step.id, step.minutes, book.text(step.title, language)) for step in book.steps]
    return env.get_template("client_runbook.yaml.j2").render(
        client=client, preset=preset, language=language, steps=steps
    )
