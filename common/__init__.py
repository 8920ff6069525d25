"""A small kit at the bottom layer: infrastructure helpers that know no domain app.

Anything here may be imported by every app and by `petcommunity/`; nothing here imports them.
"""
