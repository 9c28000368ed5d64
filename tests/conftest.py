"""The test session keeps its compiled programs in its own cache folder, so a run never reads
programs a previous run (or the user's own work) left in ~/.cache."""

import os
import tempfile

os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="endorse-asp-test-cache-")
