"""The chat-style terminal UI and the `charstream` command line."""
