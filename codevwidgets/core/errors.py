"""The core's refusal of a change, in a module of its own: the session's parts (``call_time``,
``breaks``) raise it as ``Session`` does, without importing the session that mixes them in."""

from __future__ import annotations

__all__ = ["SessionError"]


class SessionError(RuntimeError):
    """A method was called in a state where it makes no sense (e.g. ``pause`` when paused).

    ``key`` (with ``values``) names the locale text a page shows instead of the message, for
    refusals a person meets in a room (another console moved the session on).
    """

    def __init__(self, message: str, key: str | None = None, **values: object) -> None:
        super().__init__(message)
        self.key, self.values = key, values
