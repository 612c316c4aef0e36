"""Exit statuses of the ``netops`` commands, one meaning each, so scripts and cron can act on them.

0   done (``poll``/``discover``: every device answered)
1   an error; ``poll``/``discover``: some devices failed, the others were stored
2   a usage mistake: bad arguments, an invalid inventory file, an unknown name
3   ``poll``/``discover``: no device answered, or there was none that could be polled
4   no netops database in the configured data directory (``netops init`` creates it)
"""

from __future__ import annotations

OK = 0
FAILED = 1
USAGE = 2
NOTHING_ANSWERED = 3
NO_DATABASE = 4
