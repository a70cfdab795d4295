"""Work that runs after a call, off the call path."""
