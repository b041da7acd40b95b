"""careline's own Rasa input channels: the web chat page and Twilio SMS."""
