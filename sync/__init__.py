"""The kiosk's local journal and (later) the wire protocol and sync agent."""
