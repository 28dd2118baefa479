"""The Textual application: screens/, widgets/, one stylesheet (charstream.tcss)."""
