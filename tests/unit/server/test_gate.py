"""The server's door: which secret each page's link needs, who asks, what a refusal shows."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from codevwidgets.server.gate import refusal_page, required_secret, visitor_address


@pytest.mark.parametrize(
    ("notebook", "kind"),
    [
        ("participant.ipynb", "code"),
        ("projector.ipynb", "code"),
        ("facilitator.ipynb", "key"),
        ("cycle.ipynb", "key"),
        ("customise.ipynb", "closed"),  # the editor writes files: never for a room
    ],
)
def test_each_page_needs_the_secret_it_checks_itself(notebook: str, kind: str) -> None:
    secret = required_secret(notebook, environ={})
    assert secret is not None and secret.kind == kind


def test_a_client_notebook_served_as_the_console_needs_the_key() -> None:
    served = {"CODEV_CONSOLE_NOTEBOOK": "acme-session.ipynb"}  # codev serve --notebook
    secret = required_secret("acme-session.ipynb", environ=served)
    assert secret is not None and secret.kind == "key"


def test_what_is_not_one_of_the_kits_pages_passes() -> None:
    assert required_secret("logo.png", environ={}) is None
    assert required_secret("acme-session.ipynb", environ={}) is None  # not served as a console
    assert required_secret("customise.ipynb", environ={"CODEV_EDITOR": "1"}) is None


def request(peer: str, forwarded: str = "") -> SimpleNamespace:
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return SimpleNamespace(remote_ip=peer, headers=headers)


def test_the_visitor_is_the_peer_unless_haproxy_on_this_machine_names_it() -> None:
    assert visitor_address(request("192.0.2.7")) == "192.0.2.7"
    assert visitor_address(request("127.0.0.1", "10.0.0.1, 192.0.2.9")) == "192.0.2.9"
    # A visitor from the network cannot pass for another by sending the header itself.
    assert visitor_address(request("192.0.2.7", "192.0.2.9"), environ={}) == "192.0.2.7"
    # HAProxy on another machine, named by the operator.
    proxy = {"CODEV_TRUSTED_PROXY": "192.0.2.1, 192.0.2.2"}
    assert visitor_address(request("192.0.2.2", "192.0.2.9"), environ=proxy) == "192.0.2.9"


def test_a_refusal_shows_its_message_as_text() -> None:
    page = refusal_page("<script>alert(1)</script>", "fr", '"><img src=x>')
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert "<img" not in page and 'class="codev-error codev-page-error"' in page
    assert "codev-theme-light" in page
