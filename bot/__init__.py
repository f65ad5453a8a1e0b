"""qunbot: a WeChat community-group assistant.

The engine (`bot/`) turns events into actions; behaviours live in `handlers/`.
Only `bot/wechaty_adapter.py` imports the Wechaty SDK.
"""
