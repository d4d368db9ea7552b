"""Test support shipped with the tracker: loopback stand-ins of every external API it calls."""
