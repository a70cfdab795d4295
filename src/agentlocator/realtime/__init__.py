"""Edge out: the OpenAI Realtime API (GA interface) and the port the call core talks through."""
