"""The routes of the HTTP API and the page, one module per area."""
