"""Everything that runs inside Locust: settings, the user flow, the step shape, raw samples.

Only `locustfile.py` and `shape.py` import Locust (importing it monkey-patches the process
with gevent), so the other modules stay importable from tests and from the harness.
"""
