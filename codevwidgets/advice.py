"""The public face of the advice check (``codevwidgets.core.advice``): DESIGN.md documents
``codevwidgets.advice.looks_like_advice``, and ``python -m codevwidgets.advice --evaluate FILE``
prints precision and recall per language."""

import sys

from codevwidgets.core.advice import looks_like_advice, main

__all__ = ["looks_like_advice"]

if __name__ == "__main__":
    sys.exit(main())
