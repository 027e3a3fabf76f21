"""`python -m drafter.cli`: the same as the `drafter` command."""

from . import main

main(prog_name="drafter")
