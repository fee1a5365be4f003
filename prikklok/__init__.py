"""The prikklok command and its configuration."""
