"""The console's pages: server-rendered, French and English, behind a two-factor session."""
