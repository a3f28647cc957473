"""Run the command line as `python -m foxden`."""

from foxden.cli import main

main()
