"""The pure model of a codevelopment session: runbooks, rosters, roles, the session and the
commands that change it, signals, joining, wording and themes. Imports nothing of the layers
above, never ipywidgets; time comes from an injected clock."""
