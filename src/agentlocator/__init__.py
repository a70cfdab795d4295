"""AgentLocator: an AI phone receptionist bridging Twilio to the OpenAI Realtime API."""
