"""The staff side of the server: logins, the supervisor pages, the coach pages and feeds.

Pages are rendered on the server (Jinja2, escaped by default) and work without a
JavaScript framework; a few lines of script refresh the live parts.
"""
