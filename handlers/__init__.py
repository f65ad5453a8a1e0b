"""One module per behaviour. The order in which they run is declared in `bot/app.py`."""
