"`python -m reuters_nb`: the `reuters-nb` command (see reuters_nb.cli)"
import sys

from reuters_nb.cli import main

sys.exit(main())
