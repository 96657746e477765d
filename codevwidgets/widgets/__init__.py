"""Thin views over the pure core; imported on demand, never by ``import codevwidgets``."""
