"""The check-in core (pure Python) and the door that wires it to hardware and journal."""
