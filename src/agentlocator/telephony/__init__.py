"""Edge in: Twilio webhooks, TwiML, the Media Streams WebSocket and the REST hang-up."""
