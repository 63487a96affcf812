"""`python -m crampdx` runs the same CLI as the console script."""

from crampdx.cli import main

raise SystemExit(main())
