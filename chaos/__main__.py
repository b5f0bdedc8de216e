"""`python -m chaos [--only NAME] [--quick] [--keep]`: see chaos/README.md."""

from chaos.run import main

raise SystemExit(main())
