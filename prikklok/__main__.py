import sys

from prikklok.cli import main

sys.exit(main())
