"""pytest configuration shared by every test under test/pytest.

Under CI (the CI environment variable set), hypothesis runs derandomized:
the same examples every run, so a submission's result does not depend on
the seed. Locally the examples stay random, to keep finding new cases.
"""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
