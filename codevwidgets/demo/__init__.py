"""The demo: one roster (``DEMO_ROSTER``) and a cycle of held sessions for the cycle page."""

from pathlib import Path

DEMO_ROSTER = Path(__file__).with_name("roster.yaml")
