"""`python -m cli` runs the scf command."""

from .main import main

main()
