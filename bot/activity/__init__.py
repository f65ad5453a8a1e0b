"""Member activity: recording (``recorder``), text signals (``signals``), scoring (``score``)."""
