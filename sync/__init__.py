"""The kiosk's side of sync: its journal and cached door data, the wire protocol both ends
share (sync.protocol), and the sync agent that pushes and pulls (sync.agent)."""
