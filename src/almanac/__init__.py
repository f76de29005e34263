"""Almanac's library: the pieces the MkDocs hooks in `hooks/` share.

Nothing here depends on the Material theme; the hook modules wire these
functions to MkDocs events. Each module reads and writes only what its
docstring says.
"""
