"""The shopper's dashboard (docs/dashboard.md): passwordless sign-in by email, then every order of
that email at the shop (across shops with consent), live, on a page no share link reaches."""
