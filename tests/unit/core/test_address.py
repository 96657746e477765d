"""Which addresses phones in the room cannot reach (``core.address``)."""

from __future__ import annotations

import pytest

from codevwidgets.core.address import loopback_host


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("http://127.0.0.1:8866/voila/render/participant.ipynb?session=S&code=C", "127.0.0.1"),
        ("http://127.0.1.1:8866/", "127.0.1.1"),  # Debian's own host name resolves here
        ("http://localhost:8866/voila/render/participant.ipynb", "localhost"),
        ("http://LOCALHOST:8866/", "localhost"),
        ("http://[::1]:8866/", "::1"),
        ("http://10.0.0.5:8866/voila/render/participant.ipynb", None),
        ("http://192.168.1.20:8866/", None),
        ("https://codev.example.org/voila/render/participant.ipynb", None),
        ("http://[fe80::1]:8866/", None),
        ("participant.ipynb?session=S&code=C", None),  # JupyterLab: relative
        ("", None),
        ("http://[::1:8866/", None),  # malformed: no hint rather than an error
    ],
)
def test_loopback_host(url: str, host: str | None) -> None:
    assert loopback_host(url) == host
