"""`python -m vtex_local`: the demo launcher (see `vtex_local.launcher`)."""

import sys

from vtex_local.launcher import main

sys.exit(main())
