"""`python -m server …`: the same verbs as `prikklok server …`."""

from server.cli import server

server(prog_name="prikklok server")
