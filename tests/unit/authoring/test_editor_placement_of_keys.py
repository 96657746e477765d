"""Keys the editor adds to a scaffolded runbook go where the file's commented example is."""

from __future__ import annotations

from pathlib import Path

from codevwidgets.authoring.draft import RunbookDraft
from codevwidgets.authoring.scaffold import client_runbook


def new(tmp_path: Path) -> RunbookDraft:
    return RunbookDraft.new("Acme", "classic", "en", tmp_path / "acme.yaml")


def test_branding_replaces_its_commented_example(tmp_path: Path) -> None:
    draft = new(tmp_path)
    draft.set_colour("primary", "#1a2b3c")
    draft.set_title({"en": "Acme codev"})
    text = draft.text()
    assert "# branding:" not in text  # the example gave its place
    assert text.index('client: "Acme"') < text.index("branding:") < text.index("# ground_rules:")
    assert (
        'client: "Acme"\n\nbranding:\n  title: {en: Acme codev}\n'
        "  colours: {primary: '#1a2b3c'}\n\n# ground_rules:"
    ) in text
    # Everything else the scaffold wrote is still there, in its order.
    rest = client_runbook("Acme", "classic", "en").split("\n\n# ground_rules:", 1)[1]
    assert text.endswith(rest)
    assert draft.problems == []
    # Saved and opened again, the same text.
    assert RunbookDraft(text, tmp_path / "acme.yaml").text() == text


def test_ground_rules_replace_their_commented_example_after_branding(tmp_path: Path) -> None:
    draft = new(tmp_path)
    draft.set_colour("accent", "#aa5500")
    draft.set_ground_rules([{"en": "Confidentiality"}])
    text = draft.text()
    assert "# ground_rules:" not in text and "# branding:" not in text
    assert text.index("branding:") < text.index("ground_rules:") < text.index("# Inherited steps:")
    assert "\n\nground_rules:\n  - en: Confidentiality\n\n# Inherited steps:" in text
    assert draft.problems == []
    assert RunbookDraft(text, tmp_path / "acme.yaml").text() == text


def test_branding_removed_again_keeps_the_comments_that_follow(tmp_path: Path) -> None:
    draft = new(tmp_path)
    draft.set_colour("primary", "#1a2b3c")
    draft.set_colour("primary", "")
    text = draft.text()
    assert "branding" not in text
    assert "# Inherited steps:\n#   presentation (10 min)" in text
    assert draft.problems == []


def test_a_file_without_the_example_gets_branding_in_the_kits_order(tmp_path: Path) -> None:
    draft = RunbookDraft(
        "extends: classic\nlanguage: en\nclient: Acme\nsteps: []\n", tmp_path / "acme.yaml"
    )
    draft.set_colour("primary", "#1a2b3c")
    assert draft.text() == (
        "extends: classic\nlanguage: en\nclient: Acme\n"
        "branding:\n  colours: {primary: '#1a2b3c'}\nsteps: []\n"
    )
