"""Debian's headless Chromium for the browser tests: where it is and how to start it here.

The background-networking flags keep Chromium from dialling out on a closed network (its
connections would be refused, many at a time); --no-sandbox because CI runs as root.
"""

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
