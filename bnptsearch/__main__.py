"""``python -m bnptsearch`` runs the command line."""

from .cli import main

main()
