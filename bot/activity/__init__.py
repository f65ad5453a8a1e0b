"""Member activity: recording (``recorder``), text signals (``signals``), reading back (``query``)
and scoring into KOL candidates (``score``). The digest (``bot/digest.py``) puts them together."""
