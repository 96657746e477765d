"""Thin views over the pure core; imported on demand, never by ``import codevwidgets``. They
observe and call; no rule lives here, and no view imports the store."""
